// LTI role URIs -> TutorKit role (ARCHITECTURE.md). Pure function: no database needed.
import { expect } from 'chai';
import { DEFAULT_ROLE_RULES, rulesOrDefaults, type RoleRules } from '../../src/courses/role-rules.js';
import { mapRoles } from '../../src/lti/roles.js';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

describe('mapRoles', () => {
  const cases: { when: string; roles: string[]; courseRole: 'instructor' | 'tutor' | 'student' | null; isAdmin: boolean }[] = [
    { when: 'the launch says Instructor', roles: [`${MEMBERSHIP}#Instructor`], courseRole: 'instructor', isAdmin: false },
    { when: 'the launch says ContentDeveloper', roles: [`${MEMBERSHIP}#ContentDeveloper`], courseRole: 'instructor', isAdmin: false },
    { when: 'the launch says context Administrator', roles: [`${MEMBERSHIP}#Administrator`], courseRole: 'instructor', isAdmin: false },
    {
      when: 'the launch says Instructor#TeachingAssistant (a sub-role)',
      roles: [`${MEMBERSHIP}/Instructor#TeachingAssistant`],
      courseRole: 'tutor',
      isAdmin: false,
    },
    {
      when: 'the launch says TeachingAssistant alongside Instructor',
      roles: [`${MEMBERSHIP}#Instructor`, `${MEMBERSHIP}/Instructor#TeachingAssistant`],
      courseRole: 'tutor',
      isAdmin: false,
    },
    {
      when: 'the launch says Instructor after TeachingAssistant',
      roles: [`${MEMBERSHIP}/Instructor#TeachingAssistant`, `${MEMBERSHIP}#Instructor`],
      courseRole: 'tutor',
      isAdmin: false,
    },
    { when: 'the launch says Mentor', roles: [`${MEMBERSHIP}#Mentor`], courseRole: 'tutor', isAdmin: false },
    { when: 'the launch says Learner', roles: [`${MEMBERSHIP}#Learner`], courseRole: 'student', isAdmin: false },
    { when: 'the launch uses the short form "Learner"', roles: ['Learner'], courseRole: 'student', isAdmin: false },
    { when: 'the launch uses the short form "Instructor"', roles: ['Instructor'], courseRole: 'instructor', isAdmin: false },
    {
      when: 'a Learner is also an institution Administrator',
      roles: [`${MEMBERSHIP}#Learner`, `${INSTITUTION}#Administrator`],
      courseRole: 'student',
      isAdmin: true,
    },
    { when: 'only institution Administrator is sent', roles: [`${INSTITUTION}#Administrator`], courseRole: null, isAdmin: true },
    { when: 'only system Administrator is sent', roles: [`${SYSTEM}#Administrator`], courseRole: null, isAdmin: true },
    { when: 'only system SysAdmin is sent', roles: [`${SYSTEM}#SysAdmin`], courseRole: null, isAdmin: true },
    { when: 'only institution Instructor is sent', roles: [`${INSTITUTION}#Instructor`], courseRole: null, isAdmin: false },
    {
      when: 'institution Instructor comes with a Learner context role',
      roles: [`${INSTITUTION}#Instructor`, `${MEMBERSHIP}#Learner`],
      courseRole: 'student',
      isAdmin: false,
    },
    {
      when: 'only unknown roles are sent',
      roles: [`${SYSTEM}#User`, `${INSTITUTION}#Guest`, 'http://example.edu/roles#Wizard', `${MEMBERSHIP}#Officer`],
      courseRole: null,
      isAdmin: false,
    },
    { when: 'no roles are sent', roles: [], courseRole: null, isAdmin: false },
    {
      when: 'a role merely ends like an admin role under another vocabulary',
      roles: ['http://example.edu/vocab/lis/v2/system/person#Administrator'],
      courseRole: null,
      isAdmin: false,
    },
  ];

  for (const c of cases) {
    it(`When ${c.when}, then the course role is ${c.courseRole ?? 'none'}${c.isAdmin ? ' and the person is a site admin' : ''}`, () => {
      expect(mapRoles(c.roles)).to.deep.equal({ courseRole: c.courseRole, isAdmin: c.isAdmin, source: 'lms' });
    });
  }
});

describe('mapRoles with a platform’s own rules', () => {
  const rules = (change: (r: RoleRules) => void): RoleRules => {
    const r: RoleRules = { context: { ...DEFAULT_ROLE_RULES.context }, institution: { ...DEFAULT_ROLE_RULES.institution }, customTutor: true };
    change(r);
    return r;
  };
  const moodle = rules((r) => {
    r.context.Instructor = 'tutor';
    r.institution.Faculty = 'instructor';
    r.institution.Staff = 'admin';
  });

  it('When Instructor is mapped to tutor, then an Instructor is a tutor, and the source says the mapping decided', () => {
    expect(mapRoles([`${MEMBERSHIP}#Instructor`], moodle)).to.deep.equal({ courseRole: 'tutor', isAdmin: false, source: 'mapping' });
  });

  it('When a role is mapped as by default, then the source is the LMS', () => {
    expect(mapRoles([`${MEMBERSHIP}#Learner`], moodle)).to.deep.equal({ courseRole: 'student', isAdmin: false, source: 'lms' });
  });

  it('When only institution roles are sent, then the institution mapping decides (Faculty: instructor; Staff: administrator)', () => {
    expect(mapRoles([`${INSTITUTION}#Faculty`], moodle)).to.deep.equal({ courseRole: 'instructor', isAdmin: false, source: 'mapping' });
    expect(mapRoles([`${INSTITUTION}#Staff`], moodle)).to.deep.equal({ courseRole: null, isAdmin: true, source: 'lms' });
  });

  it('When a course role comes with an institution role, then the course role decides', () => {
    expect(mapRoles([`${MEMBERSHIP}#Learner`, `${INSTITUTION}#Faculty`], moodle)).to.deep.equal({ courseRole: 'student', isAdmin: false, source: 'lms' });
  });

  it('When a course role is mapped to no role, then an institution role may decide instead', () => {
    const r = rules((x) => {
      x.context.Learner = 'none';
      x.institution.Student = 'student';
    });
    expect(mapRoles([`${MEMBERSHIP}#Learner`, `${INSTITUTION}#Student`], r)).to.deep.equal({ courseRole: 'student', isAdmin: false, source: 'lms' });
    expect(mapRoles([`${MEMBERSHIP}#Learner`], r)).to.deep.equal({ courseRole: null, isAdmin: false, source: 'mapping' });
  });

  it('When the custom parameter tutorkit_role=tutor comes, then everyone is a tutor, unless the platform ignores it', () => {
    const custom = { tutorkit_role: 'Tutor ' };
    expect(mapRoles([`${MEMBERSHIP}#Learner`], DEFAULT_ROLE_RULES, custom)).to.deep.equal({ courseRole: 'tutor', isAdmin: false, source: 'mapping' });
    expect(mapRoles([`${MEMBERSHIP}#Instructor`], DEFAULT_ROLE_RULES, custom)).to.deep.equal({ courseRole: 'tutor', isAdmin: false, source: 'mapping' });
    expect(mapRoles([`${MEMBERSHIP}#Learner`], rules((r) => (r.customTutor = false)), custom)).to.deep.equal({ courseRole: 'student', isAdmin: false, source: 'lms' });
    expect(mapRoles([`${MEMBERSHIP}#Learner`], DEFAULT_ROLE_RULES, { tutorkit_role: 'instructor' })).to.deep.equal({ courseRole: 'student', isAdmin: false, source: 'lms' });
  });

  it('When institution Administrator is mapped to no role, then a system Administrator is still an administrator', () => {
    const r = rules((x) => (x.institution.Administrator = 'none'));
    expect(mapRoles([`${INSTITUTION}#Administrator`], r).isAdmin).to.equal(false);
    expect(mapRoles([`${SYSTEM}#Administrator`], r).isAdmin).to.equal(true);
  });
});

describe('Stored role rules', () => {
  it('When nothing is stored, or a stored rule names a role TutorKit does not offer, then the defaults stand in', () => {
    expect(rulesOrDefaults(null)).to.equal(DEFAULT_ROLE_RULES);
    const read = rulesOrDefaults({ context: { Instructor: 'tutor', Learner: 'wizard' }, customTutor: false });
    expect(read.context.Instructor).to.equal('tutor');
    expect(read.context.Learner).to.equal('student');
    expect(read.institution.Administrator).to.equal('admin');
    expect(read.customTutor).to.equal(false);
  });
});
