// What the demo course's sessions say: names, resources, short chat transcripts, feedback and
// rating comments, per topic. Plain data; history-plan.ts decides which goes where.

export const TOPICS = ['Cell structure', 'Genetics', 'Photosynthesis', 'Evolution', 'Lab skills'] as const;
export type Topic = (typeof TOPICS)[number];

export interface Link {
  title: string;
  url: string;
}

/** A chat line: who says it ('tutor', or the nth student present), minutes after the meeting started. */
export interface ScriptLine {
  by: 'tutor' | number;
  at: number;
  text: string;
}

interface TopicTexts {
  /** Session names: the first week's review and practice, then the second week's. */
  names: [string, string, string, string];
  /** Names for the sessions still to come (the review and the practice session of a week). */
  later: [string, string];
  description: string;
  before: Link;
  exit: Link;
  /** Two short transcripts, used in turn. */
  scripts: [ScriptLine[], ScriptLine[]];
  /** For feedback: what a student did well, what a struggling one missed, what to do next, what to review first. */
  strength: string;
  gap: string;
  next: string;
  prerequisite: string;
}

const openstax = (page: string) => `https://openstax.org/books/biology-2e/pages/${page}`;

export const TOPIC_TEXTS: Record<Topic, TopicTexts> = {
  'Cell structure': {
    names: ['Cell structure: organelles and their jobs', 'Cell structure: membrane transport practice', 'Cell structure: prokaryotes and eukaryotes', 'Cell structure: quiz warm-up'],
    later: ['Cell structure: exam review', 'Cell structure: practice exam walkthrough'],
    description: 'Bring your notes from chapter 4. We go through the organelles and then work problems together.',
    before: { title: 'OpenStax Biology 2e, chapter 4: Cell Structure', url: openstax('4-introduction') },
    exit: { title: 'Chapter 4 review questions', url: openstax('4-review-questions') },
    scripts: [
      [
        { by: 'tutor', at: 2, text: 'Hi all! Quick warm-up: which organelle makes most of the cell’s ATP?' },
        { by: 0, at: 3, text: 'The mitochondria' },
        { by: 'tutor', at: 4, text: 'Right. And where are proteins for export folded and tagged?' },
        { by: 1, at: 6, text: 'rough ER first, then the Golgi?' },
        { by: 'tutor', at: 7, text: 'Exactly. Let’s draw the path from ribosome to membrane together.' },
        { by: 0, at: 31, text: 'That diagram helped a lot, thanks' },
      ],
      [
        { by: 'tutor', at: 1, text: 'Today: diffusion, osmosis and active transport. Problem 1 is on screen.' },
        { by: 1, at: 5, text: 'Is osmosis just diffusion of water?' },
        { by: 'tutor', at: 6, text: 'Yes, across a selectively permeable membrane. Which way does water move into a salty solution?' },
        { by: 0, at: 8, text: 'Towards the salt, so the cell shrinks' },
        { by: 'tutor', at: 9, text: 'Good. Now try problem 2 on your own for five minutes.' },
      ],
    ],
    strength: 'matched each organelle to its job quickly',
    gap: 'the difference between passive and active transport',
    next: 'Do the chapter 4 review questions 1 to 10',
    prerequisite: 'basic chemistry of water and solutions',
  },
  Genetics: {
    names: ['Genetics: Mendel and Punnett squares', 'Genetics: pedigree practice problems', 'Genetics: linked genes and crossing over', 'Genetics: test crosses'],
    later: ['Genetics: exam review', 'Genetics: practice exam walkthrough'],
    description: 'We work through Punnett squares and pedigrees step by step. A calculator is handy.',
    before: { title: 'OpenStax Biology 2e, chapter 12: Mendel’s Experiments and Heredity', url: openstax('12-introduction') },
    exit: { title: 'Chapter 12 review questions', url: openstax('12-review-questions') },
    scripts: [
      [
        { by: 'tutor', at: 2, text: 'Let’s start with a monohybrid cross: Aa × Aa. What ratio of phenotypes?' },
        { by: 0, at: 4, text: '3:1?' },
        { by: 'tutor', at: 5, text: 'Yes. Now Aa Bb × Aa Bb, with independent assortment.' },
        { by: 1, at: 9, text: 'I keep getting 16 boxes but don’t know what to do with them' },
        { by: 'tutor', at: 10, text: 'Count by phenotype, not by box. I’ll share a worked example.' },
        { by: 1, at: 24, text: 'ok 9:3:3:1, I see it now' },
      ],
      [
        { by: 'tutor', at: 1, text: 'Pedigree on screen. Is this trait dominant or recessive?' },
        { by: 0, at: 4, text: 'Recessive, two unaffected parents have an affected child' },
        { by: 'tutor', at: 5, text: 'Nice reasoning. Autosomal or X-linked?' },
        { by: 1, at: 8, text: 'autosomal because a daughter is affected and her dad isn’t' },
        { by: 'tutor', at: 9, text: 'Exactly right.' },
      ],
    ],
    strength: 'set up the Punnett squares carefully and read the ratios correctly',
    gap: 'dihybrid crosses and reading phenotype ratios',
    next: 'Work the two extra dihybrid problems in the exit resources',
    prerequisite: 'probability (multiplying independent events)',
  },
  Photosynthesis: {
    names: ['Photosynthesis: light reactions', 'Photosynthesis: Calvin cycle practice', 'Photosynthesis: putting it together', 'Photosynthesis: lab data questions'],
    later: ['Photosynthesis: exam review', 'Photosynthesis and respiration: compare and contrast'],
    description: 'Light reactions, the Calvin cycle and how they connect. Bring the diagram from lecture.',
    before: { title: 'OpenStax Biology 2e, chapter 8: Photosynthesis', url: openstax('8-introduction') },
    exit: { title: 'Chapter 8 review questions', url: openstax('8-review-questions') },
    scripts: [
      [
        { by: 'tutor', at: 2, text: 'Where do the light-dependent reactions happen?' },
        { by: 0, at: 3, text: 'In the thylakoid membrane' },
        { by: 'tutor', at: 4, text: 'Yes. What do they hand to the Calvin cycle?' },
        { by: 1, at: 7, text: 'ATP and… NADH?' },
        { by: 'tutor', at: 8, text: 'Close: ATP and NADPH. The P matters! Let’s trace an electron from water.' },
      ],
      [
        { by: 'tutor', at: 1, text: 'Calvin cycle: how many CO2 to make one G3P that leaves the cycle?' },
        { by: 1, at: 5, text: '3?' },
        { by: 'tutor', at: 6, text: 'Right. And how many turns for one glucose?' },
        { by: 0, at: 9, text: '6 turns' },
        { by: 'tutor', at: 10, text: 'Great. Last one: why does the cycle stop in the dark after a while?' },
        { by: 1, at: 13, text: 'no more ATP and NADPH from the light reactions' },
      ],
    ],
    strength: 'explained how the light reactions feed the Calvin cycle',
    gap: 'what goes into and out of the Calvin cycle',
    next: 'Redraw the photosynthesis overview from memory, then check it against chapter 8',
    prerequisite: 'redox reactions and the role of ATP',
  },
  Evolution: {
    names: ['Evolution: natural selection', 'Evolution: reading phylogenetic trees', 'Evolution: Hardy-Weinberg problems', 'Evolution: speciation'],
    later: ['Evolution: evidence for evolution', 'Evolution: exam-style questions'],
    description: 'From natural selection to phylogenetic trees, with practice questions like the exam’s.',
    before: { title: 'OpenStax Biology 2e, chapter 18: Evolution and the Origin of Species', url: openstax('18-introduction') },
    exit: { title: 'Chapter 18 review questions', url: openstax('18-review-questions') },
    scripts: [
      [
        { by: 'tutor', at: 2, text: 'What are the conditions for natural selection?' },
        { by: 0, at: 4, text: 'variation, inheritance, and differences in survival and reproduction' },
        { by: 'tutor', at: 5, text: 'Perfect. Does an individual evolve?' },
        { by: 1, at: 7, text: 'no, populations do' },
        { by: 'tutor', at: 8, text: 'Right. Let’s look at the finch example.' },
      ],
      [
        { by: 'tutor', at: 1, text: 'Tree on screen: which two species share the most recent common ancestor?' },
        { by: 1, at: 4, text: 'C and D' },
        { by: 'tutor', at: 5, text: 'Yes. Does the order of the tips matter?' },
        { by: 0, at: 7, text: 'I thought so, but no? You can rotate the branches' },
        { by: 'tutor', at: 8, text: 'Exactly: only the branching points matter.' },
      ],
    ],
    strength: 'read the phylogenetic trees correctly and explained why',
    gap: 'Hardy-Weinberg calculations',
    next: 'Try the Hardy-Weinberg practice set in the exit resources',
    prerequisite: 'allele frequencies from the genetics unit',
  },
  'Lab skills': {
    names: ['Lab skills drop-in', 'Lab skills drop-in', 'Lab skills drop-in', 'Lab skills drop-in'],
    later: ['Lab skills drop-in', 'Lab skills drop-in'],
    description: 'Open lab help: microscopes, dilutions, graphs and lab reports. Come with questions about this week’s lab.',
    before: { title: 'OpenStax Biology 2e, chapter 1: The Study of Life', url: openstax('1-introduction') },
    exit: { title: 'Lab report checklist (chapter 1 review questions)', url: openstax('1-review-questions') },
    scripts: [
      [
        { by: 0, at: 1, text: 'How do I make a 1:10 dilution from the stock?' },
        { by: 'tutor', at: 2, text: '1 part stock to 9 parts diluent. For 10 mL: 1 mL stock plus 9 mL water.' },
        { by: 1, at: 5, text: 'and for 1:100 you do it twice?' },
        { by: 'tutor', at: 6, text: 'Yes, a serial dilution. Label every tube!' },
      ],
      [
        { by: 0, at: 2, text: 'Which variable goes on the x axis in our enzyme lab?' },
        { by: 'tutor', at: 3, text: 'The one you changed: temperature. The rate you measured goes on y.' },
        { by: 1, at: 6, text: 'Should we connect the points or draw a best-fit line?' },
        { by: 'tutor', at: 7, text: 'Best-fit line for this one, and give the graph a title and units.' },
      ],
    ],
    strength: 'worked through the dilution calculation confidently',
    gap: 'choosing axes and units for a graph',
    next: 'Use the lab report checklist before you hand in the report',
    prerequisite: 'units and unit conversion',
  },
};

/** Rating comments by stars; an empty string is a rating without comment. */
export const RATING_COMMENTS: Record<number, string[]> = {
  5: ['Really clear, thank you!', '', 'The worked examples made it click.', 'Best session so far.', ''],
  4: ['Helpful, a bit fast at the end.', '', 'Good session, more practice problems next time please.'],
  3: ['I still don’t fully get it.', 'Okay, but I got lost halfway through.'],
  2: ['Hard to follow; it felt rushed at the end.'],
  1: ['Not useful for me.'],
};

/** Private feedback, never shown to students. */
export const PRIVATE_NOTES = {
  onTrack: ['On track. Answered the check questions without help.', 'Confident and helped others. Ready for harder problems.', 'Solid work, participated throughout.'],
  notShown: (gap: string) => `Could not work through ${gap} unaided. Worth checking in before the exam.`,
  lowPrerequisite: (prerequisite: string) => `Gaps in ${prerequisite} slowed them down. Suggest the prerequisite review and a one-to-one session.`,
};
