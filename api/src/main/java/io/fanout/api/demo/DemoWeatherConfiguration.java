package io.fanout.api.demo;

import java.util.Locale;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * A deliberately slow weather service at {@code GET /demo/weather/{city}}, answering
 * {@code {"current_condition":{"tmp":…}}} after {@code fanout.demo.delay} (2 s by default) without
 * holding a thread: three cities fetched one after the other take three delays, fetched concurrently
 * one. The temperature is made up, the same for a city every time.
 */
@Configuration(proxyBeanMethods = false)
@Profile("demo")
@EnableConfigurationProperties(DemoProperties.class)
class DemoWeatherConfiguration {

	@Bean
	RouterFunction<ServerResponse> demoWeatherRoute(DemoProperties properties) {
		return route().GET("/demo/weather/{city}", (request) -> {
			String city = request.pathVariable("city").toLowerCase(Locale.ROOT);
			Map<String, Object> weather = Map.of("current_condition", Map.of("tmp", temperature(city)), "city", city);
			return Mono.delay(properties.delay())
				.then(ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(weather));
		}).build();
	}

	/** Between 5 and 29 degrees, fixed per city. */
	static int temperature(String city) {
		return 5 + Math.floorMod(city.hashCode(), 25);
	}

}
