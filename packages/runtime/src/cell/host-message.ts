/** Inbox message types the host answers itself, whatever the machine is. */
export const HOST_MESSAGE = {
  status: 'hms.status',
  /** Its health with its context, state tree and last events: a `CellInspection`. */
  inspect: 'hms.inspect',
} as const;
