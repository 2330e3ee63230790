export {};
//# sourceMappingURL=render.spec.d.ts.map