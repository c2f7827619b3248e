package io.fanout.fetch.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanout.fetch.ErrorKind;
import io.fanout.fetch.FetchError;
import io.fanout.fetch.FetchOutcome;
import io.fanout.fetch.OutcomeKind;
import io.fanout.fetch.extract.Extraction;
import io.fanout.fetch.ssrf.BlockedAddressException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Turns what an attempt ended with into a {@link FetchOutcome}. Decoding a body and applying
 * extraction rules is CPU work in proportion to the body, chosen by tenants: it runs on a bounded
 * scheduler of its own, never on an event loop, within a time budget and up to an input size; past
 * either, the result says {@code EXTRACTION_FAILED} and the thread that ran it is not waited for.
 */
final class Outcomes {

	private static final Log logger = LogFactory.getLog(Outcomes.class);

	/** Refusals logged one by one each minute; beyond, a count. */
	private static final int REFUSALS_LOGGED = 20;

	/** Bodies up to this size, with no rule to apply, are decoded where they arrive: it costs less than a hand-off. */
	private static final int DECODED_IN_PLACE = 16 * 1024;

	private final Scheduler extraction;

	private final Duration budget;

	private final long maxInput;

	private final AtomicInteger refusalsLogged = new AtomicInteger();

	private volatile long refusalWindow;

	/**
	 * @param extraction where bodies are decoded and rules applied
	 * @param budget longest the work on one body may take
	 * @param maxInput largest body extraction reads
	 */
	Outcomes(Scheduler extraction, Duration budget, long maxInput) {
		this.extraction = extraction;
		this.budget = budget;
		this.maxInput = maxInput;
	}

	/**
	 * The outcome of a response: {@code SUCCEEDED} or {@code HTTP_ERROR}, or {@code EXTRACTION_FAILED}
	 * when its rules could not be applied within the budget.
	 * @param error why a response is a failure though it arrived (a retryable status, a bad redirect)
	 */
	Mono<FetchOutcome> ofResponse(int index, Extraction.Rules rules, RawResponse response, int attempts,
			Instant startedAt, long startNanos, @Nullable FetchError error) {
		boolean ok = response.isSuccess() && error == null;
		FetchError reported = ok ? null
				: (error != null) ? error : new FetchError(ErrorKind.HTTP_STATUS, "HTTP " + response.status());
		OutcomeKind kind = ok ? OutcomeKind.SUCCEEDED : OutcomeKind.HTTP_ERROR;
		if (!Bodies.isText(response.contentType())) {
			return Mono.just(outcome(index, kind, response, attempts, startedAt, startNanos, null, rules.nothing(),
					reported));
		}
		if (rules.isEmpty() && response.length() <= DECODED_IN_PLACE) {
			String text = Bodies.text(response);
			return Mono.just(outcome(index, kind, response, attempts, startedAt, startNanos, text, Map.of(), reported));
		}
		if (rules.refusal() != null) {
			return Mono.fromCallable(() -> Bodies.text(response))
				.subscribeOn(this.extraction)
				.map((text) -> failedExtraction(index, kind, response, attempts, startedAt, startNanos, text, rules,
						reported, "rule refused: " + rules.refusal()));
		}
		if (response.length() > this.maxInput && !rules.isEmpty()) {
			return Mono.fromCallable(() -> Bodies.text(response))
				.subscribeOn(this.extraction)
				.map((text) -> failedExtraction(index, kind, response, attempts, startedAt, startNanos, text, rules,
						reported, "the body of " + response.length() + " bytes is larger than extraction reads ("
								+ this.maxInput + " bytes)"));
		}
		// Not fromCallable(...).timeout(...): Reactor arms that timeout only once the synchronous work has
		// returned, so the budget would never cut anything short. Whichever ends first, the work or the
		// budget's timer, completes the outcome; the other's completion is ignored.
		return Mono.create((sink) -> sink.onCancel(this.extraction.schedule(() -> {
			// The budget is the work's, not the wait for a thread: its clock starts on the extraction thread.
			Disposable budget = Schedulers.parallel()
				.schedule(() -> sink.success(failedExtraction(index, kind, response, attempts, startedAt, startNanos,
						null, rules, reported, "extraction took longer than " + this.budget.toMillis() + " ms")),
						this.budget.toNanos(), TimeUnit.NANOSECONDS);
			try {
				String text = Bodies.text(response);
				FetchOutcome done = outcome(index, kind, response, attempts, startedAt, startNanos, text,
						rules.apply(text), reported);
				budget.dispose();
				sink.success(done);
			}
			catch (RuntimeException ex) {
				budget.dispose();
				sink.error(ex);
			}
		})));
	}

	/** The outcome of an attempt that ended without a usable response. */
	FetchOutcome ofFailure(int index, Extraction.Rules rules, Throwable failure, int attempts, Instant startedAt,
			long startNanos) {
		Failures.Classification kind = Failures.classify(failure);
		if (kind.outcome() == OutcomeKind.BLOCKED) {
			// The tenant sees that the destination is not allowed; what was refused, and why, is for operators.
			logRefused(Failures.blockedDetail(failure));
		}
		long size = (failure instanceof BodyTooLargeException tooLarge) ? tooLarge.size() : 0;
		// A first hop refused by the SSRF rules sent nothing: that attempt does not count.
		int made = isBlockedFirstHop(failure) ? Math.max(0, attempts - 1) : attempts;
		return new FetchOutcome(index, kind.outcome(), null, made, startedAt, elapsed(startNanos), null, size,
				rules.nothing(), new FetchError(kind.error(), kind.message()));
	}

	private static FetchOutcome failedExtraction(int index, OutcomeKind kind, RawResponse response, int attempts,
			Instant startedAt, long startNanos, @Nullable String text, Extraction.Rules rules,
			@Nullable FetchError reported, String why) {
		// An error response stays an error response; only a success can fail its extraction.
		OutcomeKind failed = (kind == OutcomeKind.SUCCEEDED) ? OutcomeKind.EXTRACTION_FAILED : kind;
		FetchError error = (reported != null) ? reported : new FetchError(ErrorKind.EXTRACTION, why);
		return outcome(index, failed, response, attempts, startedAt, startNanos, text, rules.nothing(), error);
	}

	private static FetchOutcome outcome(int index, OutcomeKind kind, RawResponse response, int attempts,
			Instant startedAt, long startNanos, @Nullable String text, Map<String, @Nullable Object> extracted,
			@Nullable FetchError error) {
		return new FetchOutcome(index, kind, response.status(), attempts, startedAt, elapsed(startNanos), text,
				response.length(), extracted, error);
	}

	/**
	 * Logs a refused destination for operators, at most {@value #REFUSALS_LOGGED} a minute: a tenant
	 * can send refused requests far faster than anyone reads a log.
	 */
	void logRefused(String detail) {
		long minute = System.nanoTime() / 60_000_000_000L;
		if (this.refusalWindow != minute) {
			this.refusalWindow = minute;
			int skipped = this.refusalsLogged.getAndSet(0) - REFUSALS_LOGGED;
			if (skipped > 0) {
				logger.info(skipped + " more requests were refused by the SSRF rules in the last minute");
			}
		}
		if (this.refusalsLogged.incrementAndGet() <= REFUSALS_LOGGED) {
			logger.info("Request refused by the SSRF rules: " + detail);
		}
	}

	static boolean isBlockedFirstHop(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof BlockedRedirectException) {
				return false;
			}
			if (cause instanceof BlockedAddressException) {
				return true;
			}
		}
		return false;
	}

	private static Duration elapsed(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

}
