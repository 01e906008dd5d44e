// Security headers for our own pages. Scripts and styles come only from our origin (htmx and
// Chart.js are served from node_modules), and only registered LMS origins may frame TutorKit.
import type { RequestHandler } from 'express';

export class FrameAncestors {
  private origins = new Set<string>();

  constructor(private readonly fixed: readonly string[]) {}

  /** Replaces the learned origins (from registered platforms and launches). */
  replace(origins: Iterable<string>): void {
    this.origins = new Set([...origins].map(originOf).filter((o): o is string => o !== null));
  }

  add(url: string | null | undefined): boolean {
    const origin = url ? originOf(url) : null;
    if (!origin || this.origins.has(origin)) return false;
    this.origins.add(origin);
    return true;
  }

  toDirective(): string {
    return ["'self'", ...this.fixed, ...this.origins].join(' ');
  }
}

function originOf(url: string): string | null {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

export function securityHeaders(frames: FrameAncestors): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        `frame-ancestors ${frames.toDirective()}`,
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // The token is short-lived, but pages with personal data should still not be cached.
      'Cache-Control': 'no-store',
    });
    next();
  };
}
