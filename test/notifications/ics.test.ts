// Calendar files read back with a real parser (ical.js): identity, rule, zone and cancellations.
import { expect } from 'chai';
import ICAL from 'ical.js';
import { instanceEvent, overrideEvent, seriesEvent } from '../../src/notifications/entries.js';
import { buildCalendar, foldLine } from '../../src/notifications/ics.js';
import type { OccurrenceRow, SeriesRow } from '../../src/notifications/queries.js';
import { expandOccurrences, timingOf } from '../../src/lib/recurrence.js';

const NOW = new Date('2027-03-01T12:00:00Z');
const text = { summary: 'Regression clinic, part 2; with R\\stats', description: 'Bring your laptop.\nOpen in TutorKit: https://tutorkit.example.edu/open/sessions/x?u=1&e=2&s=3' };

function makeSeries(overrides: Partial<SeriesRow> = {}): SeriesRow {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    courseId: 'c',
    createdBy: 'u',
    name: 'Regression clinic',
    description: '',
    timeZone: 'America/New_York',
    startDate: '2027-03-09', // a Tuesday, five days before the US DST change
    startTime: '16:00:00',
    durationMinutes: 60,
    repeat: { freq: 'weekly', interval: 1, weekdays: ['TU', 'TH'], end: { type: 'count', count: 6 } },
    invitedOnly: false,
    meetingUrl: 'https://meet.example.com/abc',
    autoResources: false,
    excludedDates: [],
    parentSeriesId: null,
    sequence: 3,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

function occurrencesOf(series: SeriesRow): OccurrenceRow[] {
  return expandOccurrences(timingOf(series)).map((o, i) => ({
    id: `occ-${i}`,
    seriesId: series.id,
    courseId: series.courseId,
    startsAt: o.start,
    endsAt: o.end,
    originalStartsAt: o.start,
    status: 'scheduled' as const,
    createdAt: NOW,
    updatedAt: NOW,
  }));
}

/** Parses a calendar, registering its time zones as a calendar program would. */
function parse(ics: string) {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  return { root, events: root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)) };
}

function utcStarts(event: ICAL.Event, limit = 50): string[] {
  const it = event.iterator();
  const out: string[] = [];
  for (let next = it.next(); next && out.length < limit; next = it.next()) out.push(next.toJSDate().toISOString());
  return out;
}

describe('Calendar files (RFC 5545)', () => {
  afterEach(() => ICAL.TimezoneService.reset());

  it('When a weekly New York series is written, then ical.js reads its UID, SEQUENCE, RRULE and VTIMEZONE and gives 16:00 local across the DST change', () => {
    const series = makeSeries();
    const ics = buildCalendar('REQUEST', [seriesEvent(series, occurrencesOf(series), text)], NOW);
    const { root, events } = parse(ics);
    expect(root.getFirstPropertyValue('method')).to.equal('REQUEST');
    const [event] = events;
    expect(event!.uid).to.equal(`${series.id}@tutorkit`);
    expect(event!.sequence).to.equal(3);
    expect(String(event!.component.getFirstPropertyValue('rrule'))).to.equal('FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH');
    expect(event!.startDate.zone?.tzid).to.equal('America/New_York');
    expect(root.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).to.equal('America/New_York');
    expect(utcStarts(event!)).to.deep.equal([
      '2027-03-09T21:00:00.000Z', // EST
      '2027-03-11T21:00:00.000Z',
      '2027-03-16T20:00:00.000Z', // EDT from 14 March
      '2027-03-18T20:00:00.000Z',
      '2027-03-23T20:00:00.000Z',
      '2027-03-25T20:00:00.000Z',
    ]);
    expect(event!.summary).to.equal(text.summary);
    expect(event!.description).to.equal(text.description);
    expect(event!.location).to.equal('https://meet.example.com/abc');
    expect(event!.component.getFirstPropertyValue('url')).to.equal('https://meet.example.com/abc');
    expect(ics).to.contain('SUMMARY:Regression clinic\\, part 2\\; with R\\\\stats');
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75), 'folded at 75 octets').to.equal(true);
  });

  it('When a series runs over the autumn change in Berlin until a date, then UNTIL and every start stay right', () => {
    const series = makeSeries({ timeZone: 'Europe/Berlin', startDate: '2027-10-18', startTime: '09:30:00', repeat: { freq: 'daily', interval: 7, end: { type: 'until', date: '2027-11-08' } } });
    const { events } = parse(buildCalendar('REQUEST', [seriesEvent(series, occurrencesOf(series), text)], NOW));
    expect(utcStarts(events[0]!)).to.deep.equal(['2027-10-18T07:30:00.000Z', '2027-10-25T07:30:00.000Z', '2027-11-01T08:30:00.000Z', '2027-11-08T08:30:00.000Z']);
  });

  it('When cancelled sessions are in a series, then they are EXDATEs and calendars skip them', () => {
    const series = makeSeries();
    const list = occurrencesOf(series);
    list[1]!.status = 'cancelled';
    const { events } = parse(buildCalendar('REQUEST', [seriesEvent(series, list, text)], NOW));
    expect(utcStarts(events[0]!)).to.have.length(5).and.not.include(list[1]!.startsAt.toISOString());
  });

  it('When one session was moved on its own, then it is an override of the parent UID with RECURRENCE-ID the original start', () => {
    const parent = makeSeries({ excludedDates: ['2027-03-16'], sequence: 4 });
    const original = occurrencesOf(parent)[2]!;
    const child = makeSeries({ id: '22222222-2222-4222-8222-222222222222', parentSeriesId: parent.id, repeat: { freq: 'none' }, startDate: '2027-03-17', startTime: '10:00:00', sequence: 0, durationMinutes: 90 });
    const moved = { ...original, seriesId: child.id, startsAt: new Date('2027-03-17T14:00:00Z'), endsAt: new Date('2027-03-17T15:30:00Z') };
    const { events } = parse(buildCalendar('REQUEST', [overrideEvent(parent, child, moved, text)], NOW));
    const [override] = events;
    expect(override!.uid).to.equal(`${parent.id}@tutorkit`);
    expect(override!.isRecurrenceException()).to.equal(true);
    expect(override!.recurrenceId.toJSDate().toISOString()).to.equal('2027-03-16T20:00:00.000Z');
    expect(override!.startDate.toJSDate().toISOString()).to.equal('2027-03-17T14:00:00.000Z');
    expect(override!.endDate.toJSDate().toISOString()).to.equal('2027-03-17T15:30:00.000Z');
    expect(override!.sequence).to.equal(4);
  });

  it('When a series or one of its sessions is cancelled, then the file is METHOD:CANCEL with STATUS:CANCELLED', () => {
    const series = makeSeries();
    const list = occurrencesOf(series);
    const whole = parse(buildCalendar('CANCEL', [seriesEvent(series, list, text)], NOW));
    expect(whole.root.getFirstPropertyValue('method')).to.equal('CANCEL');
    expect(whole.events[0]!.component.getFirstPropertyValue('status')).to.equal('CANCELLED');
    expect(whole.events[0]!.isRecurrenceException()).to.equal(false);
    const one = parse(buildCalendar('CANCEL', [instanceEvent(series, list[3]!, text)], NOW));
    expect(one.events[0]!.recurrenceId.toJSDate().toISOString()).to.equal(list[3]!.originalStartsAt.toISOString());
    expect(one.events[0]!.uid).to.equal(`${series.id}@tutorkit`);
  });

  it('When a zone has no daylight saving (Asia/Kolkata, 9:30AM), then the VTIMEZONE still gives the right instant', () => {
    const series = makeSeries({ timeZone: 'Asia/Kolkata', startTime: '09:30:00', repeat: { freq: 'none' } });
    const { events } = parse(buildCalendar('REQUEST', [seriesEvent(series, occurrencesOf(series), text)], NOW));
    expect(events[0]!.startDate.toJSDate().toISOString()).to.equal('2027-03-09T04:00:00.000Z');
    expect(events[0]!.component.getFirstPropertyValue('rrule')).to.equal(null);
  });

  it('When a line has multi-byte characters, then folding never splits one', () => {
    const folded = foldLine(`SUMMARY:${'Ünïcödé '.repeat(30)}`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).to.be.at.most(75);
    expect(folded.replace(/\r\n /g, '')).to.equal(`SUMMARY:${'Ünïcödé '.repeat(30)}`);
  });

  describe('values a person typed', () => {
    const tricky = `Week 3; review, part\\2\nBring: notes;\r\nquestions, ${'é漢😀'.repeat(70)}`;
    const organizer = { name: 'TutorKit', email: 'no-reply@tutorkit.example.edu' };
    const attendee = { name: 'Priya "P" Natarajan', email: 'priya@example.edu' };

    it('When a name and description hold ; , \\ line breaks and 200 non-ASCII characters, then a calendar reads one event with exactly that text, and every line is at most 75 octets', () => {
      expect([...tricky.replace(/[\x00-\x7f]/g, '')].length).to.be.at.least(200);
      const series = makeSeries({ name: tricky, description: tricky, repeat: { freq: 'none' } });
      const file = buildCalendar('REQUEST', [{ ...seriesEvent(series, occurrencesOf(series), { summary: tricky, description: tricky }), organizer, attendees: [attendee] }], NOW);
      for (const line of file.split('\r\n')) expect(Buffer.byteLength(line), line).to.be.at.most(75);
      const { events } = parse(file);
      expect(events).to.have.length(1);
      expect(events[0]!.summary).to.equal(tricky.replace(/\r\n/g, '\n'));
      expect(events[0]!.description).to.equal(tricky.replace(/\r\n/g, '\n'));
    });

    it('When a meeting link carries line breaks that would start a second event, then the file still holds one event with its organizer and attendee, and no injected property', () => {
      const injected = 'https://zoom.us/j/1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:Injected\r\nURL:javascript:alert(1)\r\nATTENDEE:mailto:attacker@evil.test';
      const series = makeSeries({ meetingUrl: injected });
      const file = buildCalendar('REQUEST', [{ ...seriesEvent(series, occurrencesOf(series), text), organizer, attendees: [attendee] }], NOW);
      const { events } = parse(file);
      expect(events).to.have.length(1);
      const event = events[0]!.component;
      expect(event.getAllProperties('attendee').map((p) => p.getFirstValue())).to.deep.equal(['mailto:priya@example.edu']);
      expect(event.getFirstPropertyValue('organizer')).to.equal('mailto:no-reply@tutorkit.example.edu');
      expect(file).not.to.match(/^(UID:evil|SUMMARY:Injected|URL:javascript)/m);
      expect(file).not.to.contain('\r\nEND:VEVENT\r\nBEGIN:VEVENT');
      expect(event.getFirstPropertyValue('url')).to.match(/^https:\/\/zoom\.us\/j\/1%0D%0AEND:VEVENT/);
    });
  });
});
