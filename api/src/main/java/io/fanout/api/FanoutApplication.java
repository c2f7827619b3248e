package io.fanout.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Fanout: the REST API in front of the scheduler and the fetch engine, which wire themselves through
 * their own auto-configuration.
 */
@SpringBootApplication
public class FanoutApplication {

	public static void main(String[] args) {
		SpringApplication.run(FanoutApplication.class, args);
	}

}
