/** What storing one batch of reports did, report by report. */
export interface BatchOutcome {
  stored: number;
  duplicates: number;
  late: number;
  expired: number;
  transitions: number;
}
