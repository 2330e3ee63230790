import { parseImageRef, type ImageRef } from '@cios/platform-spec';
import type { Workload } from '../model.js';

export function imagesOf(w: Workload): { container: string; ref: string; parsed: ImageRef | undefined }[] {
  return w.containers.map((c) => {
    const ref = String(c['image'] ?? '');
    return { container: String(c['name']), ref, parsed: parseImageRef(ref) };
  });
}
