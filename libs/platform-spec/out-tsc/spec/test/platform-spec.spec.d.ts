export {};
//# sourceMappingURL=platform-spec.spec.d.ts.map