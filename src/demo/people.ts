// The demo course and its people. Used only when DEMO is on.
import type { Role } from '../lib/session-token.js';

export interface DemoPerson {
  sub: string;
  givenName: string;
  familyName: string;
  role: Exclude<Role, 'admin'>;
  /** Also the demo LMS's site administrator (institution Administrator): Site settings, the email log. */
  siteAdmin?: boolean;
  /**
   * Where the person lives and when they are free (weekly ranges: ISO weekdays, local HH:mm), so
   * the conflict alert and the Scheduling assistant have something to show. The people a
   * newcomer plays first (Amara, Maya) take the browser's zone and start without availability.
   */
  availability?: { zone: string; weekly: { weekdays: number[]; start: string; end: string }[] };
}

const WEEKDAYS = [1, 2, 3, 4, 5];

export const DEMO_COURSE = {
  contextId: 'demo-bio-101',
  title: 'BIO 101: Introduction to Biology',
  label: 'BIO 101',
};

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { sub: 'demo-instructor-1', givenName: 'Amara', familyName: 'Okafor', role: 'instructor', siteAdmin: true },
  { sub: 'demo-tutor-1', givenName: 'Maya', familyName: 'Chen', role: 'tutor' },
  {
    sub: 'demo-tutor-2',
    givenName: 'Diego',
    familyName: 'Ramírez',
    role: 'tutor',
    availability: { zone: 'America/Mexico_City', weekly: [{ weekdays: WEEKDAYS, start: '08:00', end: '12:00' }, { weekdays: [2, 4], start: '15:00', end: '19:00' }] },
  },
  {
    sub: 'demo-student-1',
    givenName: 'Priya',
    familyName: 'Natarajan',
    role: 'student',
    availability: { zone: 'Asia/Kolkata', weekly: [{ weekdays: WEEKDAYS, start: '17:00', end: '23:00' }, { weekdays: [6, 7], start: '10:00', end: '18:00' }] },
  },
  {
    sub: 'demo-student-2',
    givenName: 'Liam',
    familyName: "O'Connor",
    role: 'student',
    availability: { zone: 'Europe/Dublin', weekly: [{ weekdays: WEEKDAYS, start: '14:00', end: '21:00' }] },
  },
  {
    sub: 'demo-student-3',
    givenName: 'Sofia',
    familyName: 'Rossi',
    role: 'student',
    availability: { zone: 'Europe/Rome', weekly: [{ weekdays: [1, 3, 5], start: '09:00', end: '13:00' }, { weekdays: WEEKDAYS, start: '16:00', end: '20:00' }] },
  },
  { sub: 'demo-student-4', givenName: 'Kwame', familyName: 'Mensah', role: 'student' },
  { sub: 'demo-student-5', givenName: 'Hannah', familyName: 'Schmidt', role: 'student' },
  { sub: 'demo-student-6', givenName: 'Yuki', familyName: 'Tanaka', role: 'student' },
];

/** The LTI role a real LMS would send for each TutorKit role. */
export const LTI_ROLE_FOR: Record<DemoPerson['role'], string> = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  tutor: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  student: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
};

export const INSTITUTION_ADMIN = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';

export function fullName(p: DemoPerson): string {
  return `${p.givenName} ${p.familyName}`;
}

export function demoEmail(p: DemoPerson): string {
  const local = `${p.givenName}.${p.familyName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  return `${local}@demo.tutorkit.test`;
}
