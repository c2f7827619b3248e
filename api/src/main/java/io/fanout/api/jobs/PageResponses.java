package io.fanout.api.jobs;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Pages of jobs and of results, with the cursor and link to the next page; schedules page the same way.
 */
public final class PageResponses {

	private PageResponses() {
	}

	/**
	 * A page of jobs, newest first.
	 *
	 * @param items the jobs
	 * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
	 * @param links this page and the next
	 */
	@Schema(name = "JobPage", description = "A page of jobs, newest first.", requiredProperties = { "items", "links" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record JobPage(List<JobResponse> items,
			@Schema(description = "Pass as `cursor` for the next page; absent on the last page.",
					example = "019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31") @Nullable String nextCursor,
			PageLinks links) {
	}

	/**
	 * A page of a job's results, in request order.
	 *
	 * @param items the results
	 * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
	 * @param links this page and the next
	 */
	@Schema(name = "ResultPage", description = "A page of a job's results, in request order.",
			requiredProperties = { "items", "links" })
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record ResultPage(List<ResultResponse> items,
			@Schema(description = "Pass as `cursor` for the next page; absent on the last page.",
					example = "100") @Nullable String nextCursor,
			PageLinks links) {
	}

	/**
	 * Links of a page.
	 *
	 * @param self this page
	 * @param next the next page; absent on the last page
	 */
	@Schema(name = "PageLinks", description = "This page and the next.", requiredProperties = "self")
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record PageLinks(@Schema(example = "/api/v1/jobs?status=RUNNING&limit=50") String self,
			@Schema(example = "/api/v1/jobs?status=RUNNING&limit=50&cursor=019a7c2e-3b1f-7c4e-9a55-8d2f1e0b6a31")
			@Nullable String next) {

		/** The links of a page served for {@code request}: its path and query, and the same with the next cursor. */
		public static PageLinks of(ServerHttpRequest request, @Nullable String nextCursor) {
			URI uri = request.getURI();
			String self = uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
			String next = (nextCursor != null) ? UriComponentsBuilder.fromPath(uri.getRawPath())
				.query(uri.getRawQuery())
				.replaceQueryParam("cursor", nextCursor)
				.build(true)
				.toUriString() : null;
			return new PageLinks(self, next);
		}

	}

}
