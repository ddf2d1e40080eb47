/** @module @ferry/sync — the two-way sync engine (being written). */
export {};
