/** @module @ferry/emulators — provider emulators (being written). */
export {};
