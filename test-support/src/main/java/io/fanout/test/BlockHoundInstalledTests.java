package io.fanout.test;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proves a module's tests run under BlockHound, so a blocking call on a non-blocking thread fails a
 * test. One copy for all modules: each one's surefire runs it from this jar.
 */
public class BlockHoundInstalledTests {

	@Test
	void blockingOnANonBlockingThreadFails() {
		Mono<Long> blocking = Mono.delay(Duration.ofMillis(1)).doOnNext((tick) -> {
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});

		assertThatThrownBy(() -> blocking.block(Duration.ofSeconds(5))).hasCauseInstanceOf(BlockingOperationError.class);
	}

}
