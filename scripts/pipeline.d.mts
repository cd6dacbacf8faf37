/** Types of scripts/pipeline.mjs for the TypeScript tests. */
export function staleInputs(outdir?: string): string[];
export function buildPipelineBundle(outdir?: string): Promise<string>;
