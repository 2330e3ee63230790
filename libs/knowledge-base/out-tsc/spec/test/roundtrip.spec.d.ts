export {};
//# sourceMappingURL=roundtrip.spec.d.ts.map