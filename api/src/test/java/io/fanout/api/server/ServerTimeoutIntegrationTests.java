package io.fanout.api.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that starts a request body and stops sending does not hold its connection for ever: the
 * server closes it after {@code fanout.server.read-timeout}.
 */
@TestPropertySource(properties = { "fanout.server.read-timeout=500ms", "fanout.server.request-timeout=2s" })
class ServerTimeoutIntegrationTests extends FanoutIntegrationTest {

	@LocalServerPort
	private int port;

	@Test
	void aRequestBodyThatStallsClosesTheConnection() throws Exception {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			// Without the timeout, the read below would wait until this one fails the test.
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + KEY_A
					+ "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"requests\": [")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			long start = System.nanoTime();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[4096];
			while (in.read(buffer) >= 0) {
				// Whatever the server says before it closes, it closes.
			}
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(8));
		}
	}

}
