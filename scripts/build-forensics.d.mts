// Types of build-forensics.mjs for the TypeScript callers (the forensics benchmark).
export declare const BUNDLES: Record<'index' | 'cli', string>;
export declare function isFresh(): boolean;
export declare function build(): Promise<void>;
export declare function freshBundle(name: 'index' | 'cli'): Promise<string | null>;
