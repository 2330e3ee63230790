import { z } from 'zod';
import { Dns1123Label, Iso8601 } from './names.js';
import { ImageReference } from './image-ref.js';

/** What to run: an image per service, and who made the release from which commit. */
export const Release = z.strictObject({
  /** Content-derived or human id; the deployer computes one when absent. */
  id: z.string().regex(/^[\w.-]{1,128}$/, 'must be letters, digits, ".", "_" or "-"').optional(),
  environment: Dns1123Label,
  /** Git commit the images were built from. */
  commit: z.string().regex(/^[0-9a-f]{7,40}$/, 'must be a git commit SHA (7 to 40 hex digits)'),
  createdBy: z.string().min(1, 'must name who made the release'),
  createdAt: Iso8601,
  /** Image per service name: "repository:tag" or "repository@sha256:…". */
  images: z.record(Dns1123Label, ImageReference),
  /** Where each image's SBOM is kept, per service name. */
  sboms: z.record(Dns1123Label, z.string()).optional(),
});
export type Release = z.infer<typeof Release>;
