// LTI role URIs -> TutorKit role (ARCHITECTURE.md). Pure function: no database needed.
import { expect } from 'chai';
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
