// The words of the emails: subjects, the recipient's zone, and HTML that cannot be broken by a name.
import { expect } from 'chai';
import { compose, type Letter } from '../../src/notifications/compose.js';

const letter = (overrides: Partial<Letter> = {}): Letter => ({
  kind: 'invitation',
  recipient: { name: 'Priya Natarajan', timeZone: 'Asia/Kolkata' },
  session: {
    name: 'Stats <b>review</b> & "practice"',
    description: 'Line one\n<script>alert(1)</script>',
    community: 'Statistics 201',
    zone: 'America/New_York',
    durationMinutes: 90,
    repeatSummary: 'Does not repeat',
    tutors: ['Maya Chen', 'Diego Ramírez'],
    meetingUrl: 'https://meet.example.com/a?b=1&c=2',
  },
  start: new Date('2027-03-16T20:00:00Z'), // 16:00 in New York, 01:30 the next day in India
  end: new Date('2027-03-16T21:30:00Z'),
  link: 'https://tutorkit.example.edu/open/sessions/x?u=1&e=2&s=3',
  scheduler: 'Maya Chen',
  ...overrides,
});

describe('Email wording', () => {
  it('When an invitation is written, then the subject, the time in the recipient’s zone, the length and the tutors are there in plain text', () => {
    const { subject, text } = compose(letter());
    expect(subject).to.equal('You\'re invited: Stats <b>review</b> & "practice"');
    expect(text).to.contain('When: Wed 17 Mar 2027, 01:30–03:00 (Asia/Kolkata)');
    expect(text).to.contain('Session length: 90 minutes');
    expect(text).to.contain('Tutors: Maya Chen, Diego Ramírez');
    expect(text).to.contain('Meeting link: https://meet.example.com/a?b=1&c=2');
    expect(text).to.contain('Open the session in TutorKit: https://tutorkit.example.edu/open/sessions/x?u=1&e=2&s=3');
    expect(text).to.contain('If you are not signed in, TutorKit asks you to open it from your course in your LMS, then takes you to this session.');
  });

  it('When a name or description holds HTML, then the HTML part escapes it', () => {
    const { html } = compose(letter());
    expect(html).to.not.contain('<script>').and.not.contain('<b>review');
    expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.contain('Stats &lt;b&gt;review&lt;/b&gt; &amp; &quot;practice&quot;');
    expect(html).to.contain('href="https://tutorkit.example.edu/open/sessions/x?u=1&amp;e=2&amp;s=3"');
  });

  it('When the recipient has no zone yet, then times are in the session’s zone', () => {
    expect(compose(letter({ recipient: { name: 'Sam', timeZone: null } })).text).to.contain('When: Tue 16 Mar 2027, 16:00–17:30 (America/New York)');
  });

  it('When updates, cancellations and reminders are written, then their subjects use the product’s words', () => {
    expect(compose(letter({ kind: 'update' })).subject).to.equal('Updated: Stats <b>review</b> & "practice"');
    expect(compose(letter({ kind: 'cancellation' })).subject).to.equal('Cancelled: Stats <b>review</b> & "practice"');
    expect(compose(letter({ kind: 'reminder', leadMinutes: 15 })).subject).to.equal('Reminder: Stats <b>review</b> & "practice" starts in 15 minutes');
    expect(compose(letter({ kind: 'reminder', leadMinutes: 24 * 60 })).subject).to.equal('Reminder: Stats <b>review</b> & "practice" starts in 24 hours');
  });
});
