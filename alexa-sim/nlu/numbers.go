package nlu

import (
	"strconv"
	"strings"
)

// maxNumber bounds every number read from speech; nothing a viewer says
// to a TV needs more, and it keeps arithmetic far from overflow.
const maxNumber = 999_999

var (
	units = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
	tens = map[string]int{"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
		"eighty": 80, "ninety": 90}
	ordinalUnits = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
		"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
		"fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19}
	ordinalTens = map[string]int{"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50}
)

// digitWord reads one spoken digit, as in "two oh six".
func digitWord(w string) (int, bool) {
	if w == "oh" || w == "o" {
		return 0, true
	}
	if n, ok := units[w]; ok && n < 10 {
		return n, true
	}
	return 0, false
}

// number reads a number at the start of toks: "206", "2nd", "twenty five",
// "two hundred and six", "two oh six", "twenty first". It returns the value,
// how many words it used, and whether it was an ordinal.
func number(toks []token) (n, used int, ordinal, ok bool) {
	if len(toks) == 0 {
		return 0, 0, false, false
	}
	w := toks[0].key
	if v, isOrd, ok := digits(w); ok {
		return v, 1, isOrd, true
	}
	// "two oh six": a run of single digits is read digit by digit.
	if _, ok := digitWord(w); ok && len(toks) > 1 {
		if _, ok := digitWord(toks[1].key); ok {
			v, i := 0, 0
			for ; i < len(toks) && i < 6; i++ {
				d, ok := digitWord(toks[i].key)
				if !ok {
					break
				}
				v = v*10 + d
			}
			return v, i, false, true
		}
	}
	return cardinal(toks)
}

// digits reads "206" or "2nd".
func digits(w string) (int, bool, bool) {
	if w == "" || w[0] < '0' || w[0] > '9' {
		return 0, false, false
	}
	num, suffix := w, ""
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			num, suffix = w[:i], w[i:]
			break
		}
	}
	switch suffix {
	case "", "st", "nd", "rd", "th":
	default:
		return 0, false, false
	}
	if len(num) > 6 {
		return 0, false, false
	}
	v, err := strconv.Atoi(num)
	if err != nil || v > maxNumber {
		return 0, false, false
	}
	return v, suffix != "", true
}

// cardinal reads number words up to maxNumber.
func cardinal(toks []token) (n, used int, ordinal, ok bool) {
	total, current, i := 0, 0, 0
	seen := false
	for ; i < len(toks); i++ {
		w := toks[i].key
		switch {
		case w == "a" || w == "an":
			// "a hundred", "an hour": one, when a multiplier or unit follows.
			if seen || i+1 >= len(toks) || (toks[i+1].key != "hundred" && toks[i+1].key != "thousand") {
				goto done
			}
			current = 1
		case w == "and":
			if !seen || i+1 >= len(toks) || !isNumberWord(toks[i+1].key) {
				goto done
			}
		case units[w] > 0 || w == "zero":
			if seen && current%10 != 0 || seen && current%100 >= 10 && current%100 < 20 {
				goto done
			}
			current += units[w]
		case tens[w] > 0:
			if seen && current%100 != 0 {
				goto done
			}
			current += tens[w]
		case w == "hundred":
			if !seen && current == 0 {
				current = 1
			}
			current *= 100
		case w == "thousand":
			if !seen && current == 0 {
				current = 1
			}
			total += current * 1000
			current = 0
		case ordinalUnits[w] > 0:
			if seen && current%10 != 0 {
				goto done
			}
			return total + current + ordinalUnits[w], i + 1, true, true
		case ordinalTens[w] > 0:
			if seen && current%100 != 0 {
				goto done
			}
			return total + current + ordinalTens[w], i + 1, true, true
		default:
			goto done
		}
		seen = true
		if total+current > maxNumber {
			return 0, 0, false, false
		}
	}
done:
	if !seen {
		return 0, 0, false, false
	}
	// A trailing "and" belongs to the sentence, not the number.
	for i > 0 && toks[i-1].key == "and" {
		i--
	}
	return total + current, i, false, true
}

func isNumberWord(w string) bool {
	_, u := units[w]
	return u || tens[w] > 0 || w == "hundred" || w == "thousand" || ordinalUnits[w] > 0 || ordinalTens[w] > 0
}

// numberKey is the form a word takes in a title key: number words become
// digits, so "Ocean's Eleven" matches "oceans 11".
func numberKey(w string) string {
	if n, ok := units[w]; ok {
		return strconv.Itoa(n)
	}
	if n, ok := tens[w]; ok {
		return strconv.Itoa(n)
	}
	return w
}

// durationUnits in milliseconds.
var durationUnits = map[string]int64{
	"second": 1000, "seconds": 1000, "sec": 1000, "secs": 1000, "s": 1000,
	"minute": 60_000, "minutes": 60_000, "min": 60_000, "mins": 60_000,
	"hour": 3_600_000, "hours": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000,
}

// duration reads "30 seconds", "two minutes and ten seconds", "an hour",
// "a minute and a half", "half an hour", "90" (seconds). It must use every
// word of toks.
func duration(toks []token) (ms int64, ok bool) {
	if len(toks) == 0 {
		return 0, false
	}
	var total int64
	for len(toks) > 0 {
		if hasPrefix(toks, []string{"half", "an"}) || hasPrefix(toks, []string{"half", "a"}) {
			if len(toks) < 3 || durationUnits[toks[2].key] == 0 {
				return 0, false
			}
			total += durationUnits[toks[2].key] / 2
			toks = toks[3:]
		} else {
			var n int
			switch {
			case toks[0].key == "a" || toks[0].key == "an":
				n, toks = 1, toks[1:]
			default:
				v, used, ordinal, ok := number(toks)
				if !ok || ordinal {
					return 0, false
				}
				n, toks = v, toks[used:]
			}
			if len(toks) == 0 {
				if total != 0 {
					return 0, false
				}
				return int64(n) * 1000, true // "rewind 30": seconds
			}
			unit := durationUnits[toks[0].key]
			if unit == 0 {
				return 0, false
			}
			total += int64(n) * unit
			toks = toks[1:]
			if hasPrefix(toks, []string{"and", "a", "half"}) {
				total += unit / 2
				toks = toks[3:]
			}
		}
		if len(toks) > 0 && toks[0].key == "and" {
			toks = toks[1:]
			if len(toks) == 0 {
				return 0, false
			}
		}
	}
	return total, total > 0
}

// isDigits reports whether s is all ASCII digits.
func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
