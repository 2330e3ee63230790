export {};
//# sourceMappingURL=affected-graph.spec.d.ts.map