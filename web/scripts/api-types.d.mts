// The types of api-types.mjs, for src/api-types.test.ts.
export declare const documentPath: string
export declare const typesPath: string
/** The TypeScript the document (by default ../docs/openapi.json) makes, as src/api-types.ts holds it. */
export declare function generate(documentText?: string): Promise<string>
