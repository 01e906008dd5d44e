// The Add sessions form as tests post it.

/**
 * A weekly session's form fields: Tuesdays at 16:00 New York from Tuesday 9 March 2027, an hour
 * long, six times. Each test names the course and tutors and overrides what its story needs.
 */
export function weeklySessionForm(fields: { courseId: string; tutorIds: string | string[] } & Record<string, string | string[]>): Record<string, string | string[]> {
  return {
    name: 'Weekly clinic',
    startDate: '2027-03-09',
    startTime: '16:00',
    zone: 'America/New_York',
    lengthValue: '60',
    lengthUnit: 'minutes',
    repeat: 'weekly',
    interval: '1',
    weekdays: 'TU',
    endType: 'count',
    count: '6',
    ...fields,
  };
}
