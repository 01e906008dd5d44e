// The Warmup room in two browsers: a tutor and a student of the demo course meet in a session that
// starts in ten minutes. Each sees the other join, they chat (Enter sends), a student who lost the
// connection catches up when it comes back, the tutor starts the meeting (the Meeting URL opens in
// a new tab) and the student gets Join meeting; when the student closes the tab they leave the list.
import { expect } from 'chai';
import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { meetings, occurrences, sessionSeries, users } from '../../src/db/schema.js';
import { htmx } from '../support/htmx.js';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, unexpectedProblems, useDemoApp, type WatchedPage } from './support.js';

const TUTOR = 'Maya Chen';
const STUDENT = 'Kwame Mensah';
const MEETING = 'https://meet.example.edu/bio-review';

describe('Warmup room in two browsers', function () {
  this.timeout(120_000);
  const env = useDemoApp();
  let tutor: WatchedPage;
  let student: WatchedPage;
  let roomPath: string;
  let occurrenceId: string;
  let later: string;

  before(async () => {
    [tutor, student] = await Promise.all([openPage(env.browser), openPage(env.browser)]);
    await launchFromDemo(tutor.page, env.app.baseUrl, 'tutor', TUTOR);
    await launchFromDemo(student.page, env.app.baseUrl, 'student', STUDENT);
    // The meeting itself is another site: a stand-in page, so the new tab has somewhere to land.
    await tutor.context.route(`${MEETING}**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Video meeting</title><p>Video meeting</p>' }));
    const db = env.app.database.db;
    const people = await db.select({ id: users.id, sub: users.sub }).from(users).where(inArray(users.sub, ['demo-tutor-1', 'demo-student-4']));
    const idOf = (sub: string) => people.find((p) => p.sub === sub)!.id;
    const token = await tutor.page.evaluate(() => sessionStorage.getItem('tutorkit-token'));
    const courseId = new URL(tutor.page.url()).pathname.split('/')[2]!;
    const start = new Date(Date.now() + 10 * 60_000).toISOString();
    const saved = await htmx(env.app, { token: token! }, `/c/${courseId}/sessions`, {
      method: 'POST',
      fields: { name: 'Cell biology review', courseId, startDate: start.slice(0, 10), startTime: start.slice(11, 16), zone: 'UTC', lengthValue: '60', lengthUnit: 'minutes', repeat: 'none', tutorIds: idOf('demo-tutor-1'), studentIds: idOf('demo-student-4'), meetingUrl: MEETING, resourceTitle: 'Cell diagram', resourceUrl: 'https://example.edu/cell' },
    });
    expect(saved.status, await saved.text()).to.equal(303);
    const [row] = await db.select({ id: occurrences.id }).from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Cell biology review'));
    occurrenceId = row!.id;
    roomPath = `/c/${courseId}/sessions/${occurrenceId}/room`;
    // And one two days away, whose room is not open yet.
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const second = await htmx(env.app, { token: token! }, `/c/${courseId}/sessions`, {
      method: 'POST',
      fields: { name: 'Genetics drop-in', courseId, startDate: inTwoDays.slice(0, 10), startTime: '15:00', zone: 'UTC', lengthValue: '60', lengthUnit: 'minutes', repeat: 'none', tutorIds: idOf('demo-tutor-1'), studentIds: idOf('demo-student-4') },
    });
    expect(second.status).to.equal(303);
    const [next] = await db.select({ id: occurrences.id }).from(occurrences).innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId)).where(eq(sessionSeries.name, 'Genetics drop-in'));
    later = `/c/${courseId}/sessions/${next!.id}/room`;
  });

  after(async () => {
    await tutor?.context.close();
    await student?.context.close();
  });

  /** Opens the room the way a person does: from the session page's Warmup room link. */
  async function enter(page: Page): Promise<void> {
    await page.goto(`${env.app.baseUrl}${roomPath.replace(/\/room$/, '')}`);
    await page.getByRole('link', { name: 'Warmup room' }).click();
    await page.getByRole('heading', { name: 'Warmup room: Cell biology review' }).waitFor();
    await page.locator('#room-connection[data-state="live"]').waitFor();
  }

  const presence = (page: Page) => page.locator('#room-presence');

  it('When the tutor and then a student enter, then each sees the other within 2 seconds and the tutor gets Start meeting', async () => {
    await enter(tutor.page);
    await presence(tutor.page).getByText(TUTOR).waitFor();
    expect(await tutor.page.locator('#room-state').innerText()).to.contain('Start meeting appears here when a student joins the room.');
    await expectNoAxeViolations(tutor.page);

    await enter(student.page);
    await presence(student.page).getByText(TUTOR).waitFor({ timeout: 2000 });
    await presence(tutor.page).getByText(STUDENT).waitFor({ timeout: 2000 });
    await tutor.page.getByRole('link', { name: 'Start meeting' }).waitFor({ timeout: 2000 });
    expect(await tutor.page.locator('#room-announce').innerText()).to.equal('2 people in the room');
    expect(await student.page.locator('#room-state').innerText()).to.contain('Waiting for the tutor to start the meeting.');
    await expectNoAxeViolations(student.page);
  });

  it('When the student writes and presses Enter, then the message shows in both browsers and the box is empty again', async () => {
    const box = student.page.getByLabel('Message');
    await box.fill('Hi! Is mitosis on the quiz?');
    await box.press('Enter');
    for (const page of [student.page, tutor.page]) await page.locator('#room-chat-log').getByText('Is mitosis on the quiz?').waitFor({ timeout: 2000 });
    expect(await student.page.getByLabel('Message').inputValue()).to.equal('');
    expect(await tutor.page.locator('#room-chat-log .chat-meta').first().innerText()).to.match(/^Kwame Mensah \(Student\) \d\d:\d\d$/);
    await student.page.getByLabel('Message').press('Enter');
    await student.page.locator('#message-error').getByText('Write a message before sending it.').waitFor();
    await screenshot(student.page, 'room-student-chat');
  });

  it('When the student’s connection drops and comes back, then the page reconnects and shows what was said meanwhile', async () => {
    // The server's streams end (as when an instance restarts), and the student's network refuses to reconnect for a while.
    await student.context.route('**/room/stream', (route) => route.abort('internetdisconnected'));
    env.app.built.endStreams();
    await student.page.locator('#room-connection[data-state="reconnecting"]').waitFor({ timeout: 5000 });
    const box = tutor.page.getByLabel('Message');
    await box.fill('Yes, mitosis and meiosis.');
    await box.press('Enter');
    await tutor.page.locator('#room-chat-log').getByText('mitosis and meiosis').waitFor({ timeout: 5000 });
    expect(await student.page.locator('#room-chat-log').innerText()).not.to.contain('mitosis and meiosis');
    await student.context.unroute('**/room/stream');
    await student.page.locator('#room-chat-log').getByText('mitosis and meiosis').waitFor({ timeout: 20_000 });
    await student.page.locator('#room-connection[data-state="live"]').waitFor();
    expect(await student.page.locator('#room-chat-log li').count()).to.equal(2);
    await presence(tutor.page).getByText(STUDENT).waitFor({ timeout: 5000 });
  });

  it('When the tutor presses Start meeting, then the Meeting URL opens in a new tab and the student sees Join meeting', async () => {
    const [meeting] = await Promise.all([tutor.context.waitForEvent('page'), tutor.page.getByRole('link', { name: 'Start meeting' }).click()]);
    await meeting.waitForLoadState();
    expect(meeting.url()).to.equal(MEETING);
    await meeting.close();
    const join = student.page.getByRole('link', { name: 'Join meeting' });
    await join.waitFor({ timeout: 2000 });
    expect(await join.getAttribute('href')).to.equal(MEETING);
    expect(await join.getAttribute('target')).to.equal('_blank');
    await tutor.page.getByRole('link', { name: 'Open the meeting' }).waitFor({ timeout: 2000 });
    await screenshot(tutor.page, 'room-tutor-started');
    await screenshot(student.page, 'room-student-started');
    await expectNoAxeViolations(student.page);
  });

  it('When the student closes the tab, then they leave the tutor’s list', async () => {
    await student.page.close();
    await presence(tutor.page).getByText(STUDENT).waitFor({ state: 'detached', timeout: 5000 });
    expect(await presence(tutor.page).innerText()).to.contain('1 person in the room');
    // The empty message's 422 and the refused reconnections are expected; nothing else.
    const expected = /status of 422|ERR_INTERNET_DISCONNECTED|Failed to fetch/;
    expect(unexpectedProblems(tutor.problems)).to.deep.equal([]);
    expect(unexpectedProblems(student.problems).filter((p) => !expected.test(p))).to.deep.equal([]);
  });

  it('When the meeting ends, then the tutor is offered Write feedback, the room closes, and the transcript reads the chat', async () => {
    await env.app.database.db.update(meetings).set({ endedAt: new Date(), endedBy: 'tutor' }).where(eq(meetings.occurrenceId, occurrenceId));
    await env.app.built.services.rooms.publish(occurrenceId, { kind: 'ended' });
    await tutor.page.getByRole('link', { name: 'Write feedback' }).waitFor({ timeout: 2000 });
    // The page shows itself anew: the next step and the transcript, no chat box.
    await tutor.page.getByRole('link', { name: 'Read the transcript' }).waitFor({ timeout: 5000 });
    expect(await tutor.page.getByLabel('Message').count()).to.equal(0);
    await screenshot(tutor.page, 'room-tutor-ended');
    await expectNoAxeViolations(tutor.page);
    await tutor.page.getByRole('link', { name: 'Read the transcript' }).click();
    await tutor.page.getByRole('heading', { name: 'Transcript: Cell biology review' }).waitFor();
    const text = await tutor.page.locator('main').innerText();
    expect(text).to.match(/Kwame Mensah \(Student\) \[\d\d:\d\d\] Hi! Is mitosis on the quiz\?/);
    await screenshot(tutor.page, 'transcript');
    await expectNoAxeViolations(tutor.page);
  });

  it('When a room is not open yet, then its page says when it opens', async () => {
    await tutor.page.goto(`${env.app.baseUrl}${later}`);
    await tutor.page.getByText('The Warmup room opens at').waitFor();
    await screenshot(tutor.page, 'room-not-open');
    await expectNoAxeViolations(tutor.page);
  });
});
