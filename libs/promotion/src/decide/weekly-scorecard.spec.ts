import { evaluatePromotion } from './evaluate.js';
import { weeklyScorecard } from './weekly-scorecard.js';

const bars = { min_success_rate: 0.75, min_trials: 2 };
const week = (trials: number, successes: number, confidenceSum: string, days: Record<string, { trials: number; successes: number }> = { '2031-03-10': { trials, successes } }) => ({ trials, successes, confidenceSum, days });

describe('weeklyScorecard', () => {
  it('maps the week to menace fields: confidence = mean, sandbox_roi = success rate, raroi = the worse bar ratio, one scenario per day', () => {
    const card = weeklyScorecard(week(28, 21, '25.2', { '2031-03-10': { trials: 14, successes: 14 }, '2031-03-11': { trials: 14, successes: 7 } }), bars, []);
    expect(card).toMatchObject({ alignment_status: 'pass', confidence: 0.9, sandbox_roi: 0.75, raroi: 1, scenario_scores: { '2031-03-10': 1, '2031-03-11': 0.5 } });
    expect(evaluatePromotion({ scorecard: card }).verdict).toBe('promote');
  });

  it('too few trials for the week (7 x min_trials) keeps raroi below 1: no_go', () => {
    const card = weeklyScorecard(week(7, 7, '6.3'), bars, []);
    expect(card.raroi).toBe(0.5);
    expect(evaluatePromotion({ scorecard: card }).reason_codes).toEqual(['raroi_below_threshold']);
  });

  it('no trial: nulls, no_go', () => {
    const card = weeklyScorecard(undefined, bars, []);
    expect(card).toMatchObject({ confidence: null, sandbox_roi: null, raroi: null, trials: 0 });
    expect(evaluatePromotion({ scorecard: card }).verdict).toBe('no_go');
  });

  it('a triggered tripwire is an alignment veto: demote', () => {
    const card = weeklyScorecard(week(28, 28, '28'), bars, [{ metric: 'contract_rate', status: 'triggered' }, { metric: 'x', status: 'ok' }]);
    expect(card).toMatchObject({ alignment_status: 'fail', tripwires_triggered: ['contract_rate'] });
    expect(evaluatePromotion({ scorecard: card })).toMatchObject({ verdict: 'demote', reason_codes: ['alignment_veto'] });
  });
});
