package io.fanout.api.dashboard;

import io.fanout.api.support.FanoutIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's files as a browser gets them, with no browser: where they are, the headers that
 * keep hostile data inert (a strict Content-Security-Policy, no sniffing, no framing), and how little
 * the first view weighs. {@link DashboardBrowserTests} drives it in Chromium.
 */
class DashboardIntegrationTests extends FanoutIntegrationTest {

	@Test
	void theRootAndUiRedirectToTheDashboard() {
		for (String path : new String[] { "/", "/ui" }) {
			this.client.get()
				.uri(path)
				.exchange()
				.expectStatus()
				.isPermanentRedirect()
				.expectHeader()
				.location(DashboardConfiguration.PATH);
		}
	}

	@Test
	void itsPagesAndFilesCarryAStrictContentSecurityPolicy() {
		for (String path : new String[] { "/ui/", "/ui/app.js", "/ui/app.css" }) {
			this.client.get()
				.uri(path)
				.exchange()
				.expectStatus()
				.isOk()
				.expectHeader()
				.valueEquals("Content-Security-Policy", DashboardConfiguration.CONTENT_SECURITY_POLICY)
				.expectHeader()
				.valueEquals("X-Content-Type-Options", "nosniff")
				.expectHeader()
				.valueEquals("X-Frame-Options", "DENY")
				.expectHeader()
				.valueEquals("Referrer-Policy", "no-referrer");
		}
		assertThat(DashboardConfiguration.CONTENT_SECURITY_POLICY).doesNotContain("unsafe-inline", "unsafe-eval")
			.contains("script-src 'self'", "frame-ancestors 'none'");
	}

	@Test
	void itsFirstViewWeighsUnder200Kilobytes() {
		long total = 0;
		for (String path : new String[] { "/ui/", "/ui/app.js", "/ui/app.css" }) {
			byte[] body = this.client.get().uri(path).exchange().expectStatus().isOk().expectBody().returnResult()
				.getResponseBody();
			total += body.length;
		}
		assertThat(total).isLessThan(200 * 1024);
	}

	@Test
	void itsPageHasNoInlineScriptOrStyle() {
		String page = this.client.get()
			.uri("/ui/")
			.accept(MediaType.TEXT_HTML)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_HTML)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(page).contains("<script src=\"app.js\" defer></script>")
			.doesNotContainPattern("<script>|<script [^>]*>[^<]+</script>|<style|\\son[a-z]+=");
		this.client.get()
			.uri("/ui/app.js")
			.exchange()
			.expectHeader()
			.value(HttpHeaders.CONTENT_TYPE, (type) -> assertThat(type).startsWith("text/javascript"));
	}

}
