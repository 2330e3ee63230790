export {};
//# sourceMappingURL=catalog.spec.d.ts.map