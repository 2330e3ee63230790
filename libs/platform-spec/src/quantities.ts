import { z } from 'zod';

/** Kubernetes CPU quantity: whole or fractional cores ("1", "0.5") or millicores ("250m"). */
export const CpuQuantity = z
  .string()
  .regex(/^(\d+(\.\d+)?|\d+m)$/, 'must be a CPU quantity such as "250m" or "1"');

/** Kubernetes memory quantity in binary units ("256Mi", "1Gi"). */
export const MemoryQuantity = z
  .string()
  .regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as "256Mi" or "1Gi"');

export const StorageQuantity = MemoryQuantity;

export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const BINARY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

export function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(match[1]) * (BINARY_UNITS[match[2] as string] as number);
}
