// Tags and expertise tags in a real browser, launched through the demo LMS: an instructor manages
// the catalogue from the Tags page, a tutor picks expertise tags in Edit settings.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { tags, userExpertiseTags, users } from '../../src/db/schema.js';
import { expectNoAxeViolations, launchFromDemo, openPage, screenshot, useDemoApp, type WatchedPage } from './support.js';


const INSTRUCTOR = 'Amara Okafor';
const TUTOR = 'Maya Chen';

describe('Tags and expertise tags in a browser', () => {
  const env = useDemoApp();
  let watched: WatchedPage;
  let page: Page;

  beforeEach(async () => {
    watched = await openPage(env.browser);
    page = watched.page;
  });
  afterEach(async () => {
    await watched.context.close();
  });

  const main = () => page.locator('main');
  const topic = () => page.getByRole('region', { name: 'Topic', exact: true });
  const messages = () => page.locator('#messages');
  /** The browser reports a 422 answer as a failed resource; the form showing it is the point. */
  const problems = () => watched.problems.filter((p) => !/status of 422/.test(p));

  it('When an instructor opens Tags from the nav, then adds, renames and retires a Topic tag, then each step shows in place with no accessibility violations', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    await page.locator('header.site-header').getByRole('link', { name: 'Tags' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
    expect(new URL(page.url()).pathname).to.match(/^\/c\/[^/]+\/tags$/);
    expect(await page.title()).to.equal('Tags · TutorKit');
    expect(await topic().innerText()).to.contain('No Topic tags yet. Add the topics your tutors cover, for example Algebra or Essay writing.');
    await screenshot(page, 'tags-empty');
    await expectNoAxeViolations(page);

    // Add with the mouse.
    await topic().getByLabel('New Topic tag').fill('Algebra');
    await topic().getByRole('button', { name: 'Add Topic tag' }).click();
    await topic().locator('.tag-name', { hasText: 'Algebra' }).waitFor();
    await messages().getByText('Added the Topic tag “Algebra”.').waitFor();
    expect(await topic().getByLabel('New Topic tag').evaluate((el) => el === document.activeElement), 'focus is back in the add field').to.equal(true);

    // Add with the keyboard only: type and press Enter in the focused field.
    await page.keyboard.type('Essay writing');
    await page.keyboard.press('Enter');
    await topic().locator('.tag-name', { hasText: 'Essay writing' }).waitFor();
    expect(await topic().locator('.tag-list .tag-name').allTextContents()).to.deep.equal(['Algebra', 'Essay writing']);

    // A duplicate: the form comes back with the message next to the field.
    await topic().getByLabel('New Topic tag').fill('algebra');
    await topic().getByRole('button', { name: 'Add Topic tag' }).click();
    const error = topic().locator('#new-topic-error');
    await error.waitFor();
    expect(await error.innerText()).to.equal('A Topic tag named “Algebra” already exists.');
    expect(await topic().getByLabel('New Topic tag').inputValue()).to.equal('algebra');
    expect(await topic().getByLabel('New Topic tag').getAttribute('aria-invalid')).to.equal('true');
    await screenshot(page, 'tags-duplicate-error');
    await expectNoAxeViolations(page);

    // Rename.
    await topic().getByText('Rename Algebra').click();
    await topic().getByLabel('New name for “Algebra”').fill('Algebra I');
    await topic().getByRole('button', { name: 'Save name' }).first().click();
    await topic().locator('.tag-name', { hasText: 'Algebra I' }).waitFor();
    await messages().getByText('Renamed the Topic tag to “Algebra I”.').waitFor();
    expect(await topic().locator('#new-topic-error').count(), 'the old error is gone').to.equal(0);

    // Retire: it moves to the retired list, with Restore focused to undo.
    await topic().getByRole('button', { name: 'Retire Algebra I' }).click();
    await topic().getByRole('heading', { level: 3, name: 'Retired Topic tags' }).waitFor();
    const restore = topic().getByRole('button', { name: 'Restore Algebra I' });
    await page.waitForFunction(() => document.activeElement?.textContent?.startsWith('Restore'));
    expect(await restore.evaluate((el) => el === document.activeElement)).to.equal(true);
    expect(await topic().locator('.tag-list:not(.tag-list-retired) .tag-name').allTextContents()).to.deep.equal(['Essay writing']);

    // Grade level tags for the tutor to choose from.
    const grades = page.getByRole('region', { name: 'Grade level' });
    for (const name of ['Grade 9', 'Grade 10']) {
      await grades.getByLabel('New Grade level tag').fill(name);
      await grades.getByRole('button', { name: 'Add Grade level tag' }).click();
      await grades.locator('.tag-name', { hasText: new RegExp(`^${name}$`) }).waitFor();
    }
    await screenshot(page, 'tags-managed');
    await expectNoAxeViolations(page);

    const stored = await env.app.database.db.select({ name: tags.name, category: tags.category, retiredAt: tags.retiredAt }).from(tags);
    expect(stored.map((t) => `${t.category}:${t.name}:${t.retiredAt ? 'retired' : 'active'}`).sort()).to.deep.equal([
      'grade_level:Grade 10:active',
      'grade_level:Grade 9:active',
      'topic:Algebra I:retired',
      'topic:Essay writing:active',
    ]);
    expect(problems(), 'the browser reported errors').to.deep.equal([]);
  });

  it('When a tutor opens Edit settings and saves expertise tags, then only active tags are offered, a loading indicator shows while saving, and the choice is stored', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'tutor', TUTOR);
    const header = page.locator('header.site-header');
    expect(await header.getByRole('link', { name: 'Tags' }).count(), 'tutors have no Tags link').to.equal(0);
    await header.getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit settings' }).waitFor();
    expect(await main().innerText()).to.contain(TUTOR);
    expect(await main().innerText()).to.contain('maya.chen@demo.tutorkit.test');
    expect(await main().innerText()).to.contain('Weekly hours');

    const expertise = page.getByRole('region', { name: 'Expertise tags' });
    expect(await expertise.locator('legend').allTextContents()).to.deep.equal(['Program', 'Topic', 'Grade level']);
    const topics = expertise.getByRole('group', { name: 'Topic' });
    expect(await topics.getByRole('checkbox').count(), 'the retired Algebra I is not offered').to.equal(1);
    await topics.getByLabel('Essay writing').check();
    await expertise.getByRole('group', { name: 'Grade level' }).getByLabel('Grade 9', { exact: true }).check();
    await screenshot(page, 'settings-tutor-choosing');
    await expectNoAxeViolations(page);

    // Hold the save back for a moment to see what a slow network shows.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/settings/expertise', async (route) => {
      await held;
      await route.continue();
    });
    await expertise.getByRole('button', { name: 'Save expertise tags' }).click();
    const indicator = expertise.locator('.htmx-indicator');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('#expertise .htmx-indicator')!).opacity === '1');
    expect(await indicator.innerText()).to.equal('Saving…');
    expect(await expertise.getByRole('button', { name: 'Save expertise tags' }).isDisabled(), 'no second submit while saving').to.equal(true);
    release();

    await messages().getByText('Saved your 2 expertise tags.').waitFor();
    expect(await expertise.getByLabel('Essay writing').isChecked()).to.equal(true);
    expect(await expertise.getByLabel('Grade 9', { exact: true }).isChecked()).to.equal(true);
    expect(await expertise.getByLabel('Grade 10').isChecked()).to.equal(false);
    await screenshot(page, 'settings-tutor-saved');
    await expectNoAxeViolations(page);

    const saved = await env.app.database.db
      .select({ name: tags.name })
      .from(userExpertiseTags)
      .innerJoin(tags, eq(tags.id, userExpertiseTags.tagId))
      .innerJoin(users, eq(users.id, userExpertiseTags.userId))
      .where(eq(users.sub, 'demo-tutor-1'));
    expect(saved.map((t) => t.name).sort()).to.deep.equal(['Essay writing', 'Grade 9']);
    expect(problems(), 'the browser reported errors').to.deep.equal([]);
  });

  it('When a student opens Edit settings, then they see their profile and no expertise tags', async () => {
    await launchFromDemo(page, env.app.baseUrl, 'student', "Liam O'Connor");
    await page.locator('header.site-header').getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit settings' }).waitFor();
    expect(await main().innerText()).to.contain("Liam O'Connor");
    expect(await page.getByRole('region', { name: 'Expertise tags' }).count()).to.equal(0);
    await screenshot(page, 'settings-student');
    await expectNoAxeViolations(page);
    expect(problems()).to.deep.equal([]);
  });

  it('When the Tags page is 375px wide, then it does not scroll sideways', async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await launchFromDemo(page, env.app.baseUrl, 'instructor', INSTRUCTOR);
    await page.locator('header.site-header').getByRole('link', { name: 'Tags' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
    await topic().getByText('Rename Essay writing').click();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).to.be.at.most(innerWidth);
    await screenshot(page, 'tags-375');
    await expectNoAxeViolations(page);
  });
});
