/** Types for openapi-types.mjs (used by test/client-openapi-types.spec.ts). */
export declare const GENERATED_PATH: URL;
export declare function renderTypes(document: unknown): Promise<string>;
