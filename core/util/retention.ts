/**
 * How task groups are kept, by the task history and by the local endpoint's store alike: the newest
 * groups, at most `maxGroups` of them and at most `maxTasks` tasks over them, whole groups dropped
 * oldest first. The newest group is always kept, however many tasks it has.
 */
export interface RetentionBounds {
  maxGroups: number;
  maxTasks: number;
}

/**
 * The groups beyond the bounds, from `newestFirst`. A group `spared` (one still running, say) is kept
 * beyond them, its tasks still counted.
 */
export function beyondRetention<G>(newestFirst: readonly G[], taskCount: (group: G) => number, bounds: RetentionBounds, spared?: (group: G) => boolean): G[] {
  const beyond: G[] = [];
  let tasks = 0;
  newestFirst.forEach((group, rank) => {
    tasks += taskCount(group);
    if (rank > 0 && (rank >= bounds.maxGroups || tasks > bounds.maxTasks) && !spared?.(group)) beyond.push(group);
  });
  return beyond;
}
