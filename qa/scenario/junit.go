package scenario

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// JUnit XML, as CI systems read it (the Ant/Surefire schema): one testsuite,
// one testcase per scenario, a failure element with the diff.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Skipped   *junitSkipped `xml:"skipped"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as JUnit XML; started dates the suite.
func WriteJUnit(w io.Writer, results []Result, started time.Time) error {
	suite := junitSuite{Name: "qa", Tests: len(results), Timestamp: started.UTC().Format("2006-01-02T15:04:05")}
	var total time.Duration
	for _, res := range results {
		total += res.Duration
		c := junitCase{
			Name: res.Scenario.Name, Classname: "qa." + baseName(res.Scenario.File), File: res.Scenario.File,
			Time: seconds(res.Duration),
		}
		if res.Skipped != "" {
			suite.Skipped++
			c.Skipped = &junitSkipped{Message: res.Skipped}
		}
		if f := res.Failure; f != nil {
			suite.Failures++
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("step %d %s: %s", f.Step, f.Title, f.Message),
				Type:    "ScenarioFailure",
				Text:    f.Detail,
			}
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = seconds(total)
	doc := junitSuites{Name: "livingroom-qa", Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// baseName is the file name without directory and extension.
func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			p = p[i+1:]
			break
		}
	}
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' {
			return p[:i]
		}
	}
	return p
}
