// Typed application errors. Services throw them; one Express handler renders them.

export interface ErrorPage {
  /** Short heading shown to the person. */
  title: string;
  /** What happened, in plain words. */
  message: string;
  /** What the person can do next. */
  next?: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly page: ErrorPage,
  ) {
    super(page.message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(422, { title: 'Please check your input', message });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.') {
    super(404, { title: 'Not found', message, next: 'Use the navigation above, or relaunch TutorKit from your course.' });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role in this course does not give access to this page.') {
    super(403, { title: 'Not allowed', message, next: 'If you think you should have access, contact your instructor or your LMS administrator.' });
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, { title: 'Conflict', message });
  }
}

/** The bearer token from the launch is missing, forged or expired. */
export class SessionExpiredError extends AppError {
  constructor() {
    super(401, {
      title: 'Your TutorKit session has ended',
      message: 'For your security, TutorKit sessions end after a period without activity, or when the page is opened outside your course.',
      next: 'Go back to your course in your LMS and open TutorKit again from there.',
    });
  }
}
