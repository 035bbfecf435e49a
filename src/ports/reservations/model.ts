/** A port set aside for a name. */
export interface Reservation {
  name: string;
  port: number;
  /** The project that owns the name (compose project name, or the folder name). */
  project: string;
  /** When set, the lease lives only as long as this process. */
  pid?: number;
  createdAt: number;
  renewedAt: number;
}

export const defaultRange = { start: 20000, end: 29999 } as const;
