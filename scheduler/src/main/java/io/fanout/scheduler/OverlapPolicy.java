package io.fanout.scheduler;

/**
 * What a schedule does when it fires while the job it launched last is still queued or running.
 * The names are stable: they are stored and exposed by the API as they are.
 */
public enum OverlapPolicy {

	/** Launch nothing this time; the fire is counted as skipped. */
	SKIP,

	/** Launch the new job alongside the one still going. */
	ALLOW,

	/** Cancel the job still going, then launch the new one. */
	CANCEL_PREVIOUS

}
