package io.fanout.api.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.CapabilityType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven by Selenium, for tests of the dashboard: Debian's {@code chromium} and
 * {@code chromedriver}, started with the flags that keep it off the network (it has none to reach)
 * and a fresh profile. Where either is missing the test is skipped with a message, unless
 * {@code FANOUT_REQUIRE_CHROMIUM=true} (as in CI), where it fails.
 */
public final class Browser implements AutoCloseable {

	private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("FANOUT_CHROMIUM", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path.of(
			System.getenv().getOrDefault("FANOUT_CHROMEDRIVER", "/usr/bin/chromedriver"));

	private static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private final ChromeDriver driver;

	private final Path profile;

	private Browser(ChromeDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	/** A browser, or the test skipped (failed in CI) when Chromium or its driver is not installed. */
	public static Browser start() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if (!installed && Boolean.parseBoolean(System.getenv("FANOUT_REQUIRE_CHROMIUM"))) {
			throw new IllegalStateException("FANOUT_REQUIRE_CHROMIUM=true but " + CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing: apt-get install -y chromium chromium-driver");
		}
		Assumptions.assumeTrue(installed, () -> "Skipping browser tests: " + CHROMIUM + " or " + CHROMEDRIVER
				+ " is missing (apt-get install -y chromium chromium-driver)");
		try {
			Path profile = Files.createTempDirectory("fanout-chromium-");
			ChromeOptions options = new ChromeOptions();
			options.setBinary(CHROMIUM.toFile());
			options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--disable-quic", "--no-first-run", "--user-data-dir=" + profile);
			// Alerts stay open, so that a test sees one if a page ever ran script it should not have.
			options.setCapability(CapabilityType.UNHANDLED_PROMPT_BEHAVIOUR, UnexpectedAlertBehaviour.IGNORE);
			ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
				.usingAnyFreePort()
				.withLogFile(new File("target/chromedriver.log"))
				.build();
			ChromeDriver driver = new ChromeDriver(service, options);
			driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
			return new Browser(driver, profile);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public WebDriver driver() {
		return this.driver;
	}

	/** A wait of up to {@code seconds}, for conditions the page reaches on its own. */
	public WebDriverWait waiting(int seconds) {
		return new WebDriverWait(this.driver, Duration.ofSeconds(seconds), Duration.ofMillis(50));
	}

	/** Sets the window's width (and a height that shows a screenful). */
	public void width(int pixels) {
		this.driver.manage().window().setSize(new Dimension(pixels, 900));
	}

	/** Whether a dialog (alert, confirm, prompt) is open. */
	public boolean dialogOpen() {
		try {
			this.driver.switchTo().alert();
			return true;
		}
		catch (NoAlertPresentException ex) {
			return false;
		}
	}

	/** Saves a screenshot as {@code target/screenshots/<name>.png}; answers where. */
	public Path screenshot(String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path target = SCREENSHOTS.resolve(name + ".png");
			Files.copy(this.driver.getScreenshotAs(OutputType.FILE).toPath(), target,
					StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.driver.quit();
		try (var files = Files.walk(this.profile)) {
			files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// A profile left in /tmp is harmless.
		}
	}

}
