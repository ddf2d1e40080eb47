/** @module @ferry/ui — shared React views (being written). */
export {};
