// Long lists (a course of thousands, a site's log) shown a page at a time: which page was asked
// for, and where it sits in the whole.
import { z } from 'zod';

export interface Paging {
  page: number;
  pageCount: number;
  total: number;
  /** The 1-based positions of the first and last row shown (0 and 0 when there are none). */
  from: number;
  to: number;
}

/** A page number from a query string: a positive whole number, 1 when missing or not one. */
export const PageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/**
 * Loads the asked page of `size` rows; a page past the end (the list shrank, a search narrowed it)
 * shows the last one instead.
 */
export async function loadPage<T>(asked: number, size: number, load: (window: { limit: number; offset: number }) => Promise<{ rows: T[]; total: number }>): Promise<{ rows: T[]; paging: Paging }> {
  let page = asked;
  let result = await load({ limit: size, offset: (page - 1) * size });
  const pageCount = Math.max(1, Math.ceil(result.total / size));
  if (page > pageCount) {
    page = pageCount;
    result = await load({ limit: size, offset: (page - 1) * size });
  }
  const from = result.rows.length > 0 ? (page - 1) * size + 1 : 0;
  return { rows: result.rows, paging: { page, pageCount, total: result.total, from, to: from ? from + result.rows.length - 1 : 0 } };
}
