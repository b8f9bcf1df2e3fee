/** The clique rule lives in @quorate/clique, shared with the co-signers (see its README). */
export * from '@quorate/clique';
