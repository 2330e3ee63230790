import { z } from 'zod';

/** repository[:tag][@sha256:<64 hex>] as a registry understands it. */
const IMAGE_REF = /^(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parseImageRef(ref: string): ImageRef | undefined {
  const groups = IMAGE_REF.exec(ref)?.groups;
  if (!groups?.['repository']) return undefined;
  return {
    repository: groups['repository'],
    ...(groups['tag'] ? { tag: groups['tag'] } : {}),
    ...(groups['digest'] ? { digest: groups['digest'] } : {}),
  };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** A full image reference with a tag, a digest, or both. */
export const ImageReference = z.string().superRefine((value, ctx) => {
  const ref = parseImageRef(value);
  if (!ref) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an image reference (repository[:tag][@sha256:…])` });
  } else if (!ref.tag && !ref.digest) {
    ctx.addIssue({ code: 'custom', message: `"${value}" has neither tag nor digest; pin a tag or, better, a digest` });
  }
});
