// The money rule lives in the platform (one rule for every lever); re-exported for existing imports.
export { AMOUNT_MAX_FRACTION_DIGITS, AMOUNT_MAX_SIGNIFICANT_DIGITS, AmountField, type AmountFieldOptions, type AmountParse, parseAmount, parseSignedAmount } from '#platform';
