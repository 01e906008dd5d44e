// The pure rules behind the Edit settings forms: times as typed, midnight ends, merging, the
// weekly form's rows and its Add hours / Remove / Copy Monday buttons.
import { expect } from 'chai';
import { editWeek } from '../../src/availability/settings.js';
import { checkRange, checkWeek, mergeRanges, MeetingUrlForm, readWeekDraft, TimeZoneForm } from '../../src/availability/settings-schemas.js';

describe('Edit settings: input rules', () => {
  it('When a range is typed, then blank is nothing, half is an error, 00:00 as an end is midnight, and seconds are dropped', () => {
    expect(checkRange('', '', 'Monday')).to.equal(null);
    expect(checkRange('09:00', '', 'Monday')).to.deep.equal({ error: 'Monday: enter both a From and a To time, or leave both empty.', field: 'to' });
    expect(checkRange('', '17:00', 'Monday')).to.deep.equal({ error: 'Monday: enter both a From and a To time, or leave both empty.', field: 'from' });
    expect(checkRange('22:00', '00:00', 'Friday')).to.deep.equal({ start: '22:00', end: '24:00' });
    expect(checkRange('08:30:00', '09:15:00.000', 'Friday')).to.deep.equal({ start: '08:30', end: '09:15' });
    expect(checkRange('12:00', '09:00', 'Monday')).to.deep.equal({ error: 'Monday: the end (09:00) must be after the start (12:00).', field: 'to' });
    expect(checkRange('12:00', '12:00', '')).to.deep.equal({ error: 'The end (12:00) must be after the start (12:00).', field: 'to' });
    expect(checkRange('24:00', '24:30', 'Sunday')).to.deep.equal({ error: 'Sunday: enter the start as a time, for example 09:00.', field: 'from' });
  });

  it('When ranges overlap or touch, then they merge; ranges with a gap stay apart, in order', () => {
    expect(mergeRanges([{ start: '13:00', end: '17:00' }, { start: '09:00', end: '12:00' }, { start: '12:00', end: '13:00' }, { start: '18:00', end: '24:00' }, { start: '19:00', end: '20:00' }])).to.deep.equal([
      { start: '09:00', end: '17:00', joined: 3 },
      { start: '18:00', end: '24:00', joined: 2 },
    ]);
  });

  it('When the weekly form is read, then repeated fields pair up into rows per day and every day has a row', () => {
    const week = readWeekDraft({ 'from-1': ['09:00', ' 13:00 ', ''], 'to-1': ['12:00', '17:00', ''], 'from-7': '10:00', 'to-7': '11:00' });
    expect(week.map((d) => d.name)).to.deep.equal(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);
    expect(week[0]!.rows).to.deep.equal([{ from: '09:00', to: '12:00' }, { from: '13:00', to: '17:00' }, { from: '', to: '' }]);
    expect(week[1]!.rows).to.deep.equal([{ from: '', to: '' }]);
    expect(week[6]!.rows).to.deep.equal([{ from: '10:00', to: '11:00' }]);
  });

  it('When a week is checked, then every bad row is reported by its input, and merges are described', () => {
    const bad = checkWeek(readWeekDraft({ 'from-1': ['12:00', '09:00'], 'to-1': ['09:00', ''], 'from-2': 'noon', 'to-2': '13:00' }));
    expect(bad.errors).to.deep.equal({
      'hours-1-0-to': 'Monday: the end (09:00) must be after the start (12:00).',
      'hours-1-1-to': 'Monday: enter both a From and a To time, or leave both empty.',
      'hours-2-0-from': 'Tuesday: enter the start as a time, for example 09:00.',
    });
    const good = checkWeek(readWeekDraft({ 'from-3': ['09:00', '11:00', '15:00'], 'to-3': ['12:00', '13:00', '16:00'] }));
    expect(good.errors).to.deep.equal({});
    expect(good.hours).to.deep.equal([
      { weekday: 3, start: '09:00', end: '13:00' },
      { weekday: 3, start: '15:00', end: '16:00' },
    ]);
    expect(good.merged).to.deep.equal([{ name: 'Wednesday', ranges: ['09:00–13:00'] }]);
  });

  it('When more than 12 ranges are typed for one day, then the week is refused', () => {
    const from = Array.from({ length: 13 }, (_, i) => `${String(i + 8).padStart(2, '0')}:00`);
    const to = from.map((f) => f.replace(':00', ':30'));
    expect(checkWeek(readWeekDraft({ 'from-4': from, 'to-4': to })).errors).to.deep.equal({ 'hours-4-0-from': 'Thursday: enter at most 12 ranges of hours.' });
  });

  it('When Add hours, Remove or Copy Monday is pressed, then the typed week changes and nothing else', () => {
    const typed = { 'from-1': ['09:00', '13:00'], 'to-1': ['12:00', '17:00'] };
    expect(editWeek(typed)).to.equal(null);
    expect(editWeek({ ...typed, add: '1' })!.week[0]!.rows).to.have.length(3);
    const removed = editWeek({ ...typed, remove: '1:0' })!;
    expect(removed.week[0]!.rows).to.deep.equal([{ from: '13:00', to: '17:00' }]);
    expect(removed.focus).to.equal('add-1');
    expect(editWeek({ 'from-2': '08:00', 'to-2': '09:00', remove: '2:0' })!.week[1]!.rows, 'a day keeps one row').to.deep.equal([{ from: '', to: '' }]);
    const copied = editWeek({ ...typed, 'from-6': '10:00', 'to-6': '11:00', copy: 'monday' })!.week;
    for (const day of copied.slice(1, 5)) expect(day.rows).to.deep.equal([{ from: '09:00', to: '12:00' }, { from: '13:00', to: '17:00' }, { from: '', to: '' }]);
    expect(copied[5]!.rows, 'the weekend is left alone').to.deep.equal([{ from: '10:00', to: '11:00' }]);
    expect(editWeek({ ...typed, add: '9' }), 'an unknown day is a save').to.equal(null);
  });

  it('When a zone or a meeting URL is parsed, then only IANA zones and http(s) addresses with a host pass; empty clears the URL', () => {
    expect(TimeZoneForm.safeParse({ zone: 'America/Argentina/Buenos_Aires' }).success).to.equal(true);
    expect(TimeZoneForm.safeParse({ zone: 'Mars/Olympus' }).success).to.equal(false);
    expect(TimeZoneForm.safeParse({}).success).to.equal(false);
    expect(MeetingUrlForm.parse({ meetingUrl: '' })).to.deep.equal({ meetingUrl: null });
    expect(MeetingUrlForm.parse({ meetingUrl: ' https://meet.example.edu/abc ' })).to.deep.equal({ meetingUrl: 'https://meet.example.edu/abc' });
    for (const bad of ['meet.example.edu', 'mailto:a@example.edu', 'https://', 'http://intranet']) expect(MeetingUrlForm.safeParse({ meetingUrl: bad }).success, bad).to.equal(false);
  });
});
