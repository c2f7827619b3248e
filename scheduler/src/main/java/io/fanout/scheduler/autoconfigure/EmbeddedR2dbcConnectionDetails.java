package io.fanout.scheduler.autoconfigure;

import java.nio.file.Path;

import io.r2dbc.spi.ConnectionFactoryOptions;

import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;

/**
 * Fanout's embedded database: H2 in the file {@code fanout.mv.db} under the data directory, created
 * on first start, for an application that configures no {@code spring.r2dbc.url}; the directory is
 * made private first ({@link EmbeddedDataDirectory}).
 * <p>
 * {@code WRITE_DELAY=0}: H2's MVStore otherwise keeps committed changes in memory for up to its
 * write delay (500 ms) and writes them from a background thread, so a killed process loses commits
 * that the API had already acknowledged. With no delay, every commit that changed data writes its
 * chunk to the file before the commit returns (to the operating system, without an fsync): a commit
 * survives the process being killed, not a power failure.
 */
final class EmbeddedR2dbcConnectionDetails implements R2dbcConnectionDetails {

	/** File name (without H2's {@code .mv.db}) of the embedded database in the data directory. */
	static final String DATABASE_NAME = "fanout";

	private final ConnectionFactoryOptions options;

	EmbeddedR2dbcConnectionDetails(Path dataDir) {
		EmbeddedDataDirectory.prepare(dataDir, DATABASE_NAME);
		this.options = ConnectionFactoryOptions.parse(url(dataDir))
			.mutate()
			.option(ConnectionFactoryOptions.USER, "sa")
			.option(ConnectionFactoryOptions.PASSWORD, "")
			.build();
	}

	@Override
	public ConnectionFactoryOptions getConnectionFactoryOptions() {
		return this.options;
	}

	/** The H2 file database under a data directory, as an R2DBC URL. */
	static String url(Path dataDir) {
		// An R2DBC URL's path loses its first '/': "file:///" + "/var/x" is the absolute /var/x.
		String path = dataDir.toAbsolutePath().normalize().resolve(DATABASE_NAME).toString().replace('\\', '/');
		return "r2dbc:h2:file:///" + path + "?options=DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
	}

}
