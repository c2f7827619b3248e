package io.fanout.api.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that starts a request body and stops sending, or sends it too slowly, does not hold its
 * connection for ever: the server answers {@code 408} with a Problem and closes it, after
 * {@code fanout.server.read-timeout} without a byte or {@code fanout.server.request-timeout} in all.
 */
@TestPropertySource(properties = { "fanout.server.read-timeout=500ms", "fanout.server.request-timeout=2s" })
class ServerTimeoutIntegrationTests extends FanoutIntegrationTest {

	/** A job submission's first bytes, of the 1,000 its head announces. */
	private static final String JOB_BODY_START = head("/api/v1/jobs", "application/json") + "{\"requests\": [";

	@LocalServerPort
	private int port;

	@Test
	void aRequestBodyThatStallsIsAnsweredAndTheConnectionClosed() throws Exception {
		try (Socket socket = connect()) {
			send(socket, JOB_BODY_START);
			long start = System.nanoTime();
			String answer = readUntilClosed(socket);
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(8));
			assertRequestTimeout(answer);
		}
	}

	@Test
	void aStreamedSubmissionThatStallsIsAnsweredAndTheConnectionClosed() throws Exception {
		try (Socket socket = connect()) {
			// The settings and a first request are read and parsed before the body stalls.
			send(socket, head("/api/v1/jobs/stream", "application/x-ndjson") + "{\"concurrency\": 1}\n"
					+ "{\"url\": \"http://127.0.0.1:9/a\"}\n{\"url\": ");
			assertRequestTimeout(readUntilClosed(socket));
		}
	}

	@Test
	void aRequestBodySentTooSlowlyIsAnsweredAndTheConnectionClosed() throws Exception {
		try (Socket socket = connect()) {
			OutputStream out = send(socket, JOB_BODY_START);
			long start = System.nanoTime();
			// A byte every 100 ms: never a pause of the read timeout, but the whole body would take 100 s.
			// It stops once the answer is there: a byte written to the closed connection would be reset.
			InputStream in = socket.getInputStream();
			Thread trickle = new Thread(() -> {
				try {
					while (!Thread.currentThread().isInterrupted() && in.available() == 0) {
						Thread.sleep(100);
						out.write(' ');
						out.flush();
					}
				}
				catch (IOException | InterruptedException ex) {
					// closed by the server, or by the test: done
				}
			}, "trickle");
			trickle.setDaemon(true);
			trickle.start();
			try {
				String answer = readUntilClosed(socket);
				Duration waited = Duration.ofNanos(System.nanoTime() - start);
				assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(1800)).isLessThan(Duration.ofSeconds(10));
				assertRequestTimeout(answer);
			}
			finally {
				trickle.interrupt();
			}
		}
	}

	private static String head(String path, String contentType) {
		return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + KEY_A + "\r\nContent-Type: "
				+ contentType + "\r\nContent-Length: 1000\r\n\r\n";
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port);
		// Without the timeout, a read below would wait until this one fails the test.
		socket.setSoTimeout(10_000);
		return socket;
	}

	/** Writes {@code text} to the socket at once; the stream, to go on. */
	private static OutputStream send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		return out;
	}

	private static String readUntilClosed(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream answer = new ByteArrayOutputStream();
		byte[] buffer = new byte[4096];
		try {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				answer.write(buffer, 0, read);
			}
		}
		catch (SocketException ex) {
			// A reset after the answer (the trickle's last byte crossing the close) still ends it.
			if (answer.size() == 0) {
				throw ex;
			}
		}
		return answer.toString(StandardCharsets.UTF_8);
	}

	private static void assertRequestTimeout(String answer) {
		assertThat(answer).startsWith("HTTP/1.1 408 ")
			.containsIgnoringCase("content-type: application/problem+json")
			.contains("\"type\":\"https://fanout.io/problems/request-timeout\"");
	}

}
