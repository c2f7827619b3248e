package io.fanout.scheduler;

/** The quotas a tenant has ({@link QuotaProperties.Quota}), by the names the API reports them with. */
public enum QuotaKind {

	/** Jobs waiting in the queue; refuses submissions. */
	QUEUED_JOBS("queued-jobs"),

	/** Jobs running, all instances together; keeps further jobs queued. */
	RUNNING_JOBS("running-jobs"),

	/** Requests in flight on one instance; makes further requests wait. */
	REQUESTS_IN_FLIGHT("requests-in-flight"),

	/** Schedules; refuses creations. */
	SCHEDULES("schedules"),

	/** Bytes of stored result bodies; refuses submissions. */
	STORED_BYTES("stored-bytes");

	private final String description;

	QuotaKind(String description) {
		this.description = description;
	}

	/** The quota's name in configuration ({@code fanout.scheduler.quotas.default.<name>}). */
	public String description() {
		return this.description;
	}

}
