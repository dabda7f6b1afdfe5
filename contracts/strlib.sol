// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title strlib: string work for the X-ray contracts (hex hashes, dates)
/// @notice Deployed on its own and linked into `xr`: every function is `public`, so calls
/// go through DELEGATECALL to the one deployed copy instead of being inlined.
library strlib {
    /// The text is not 64 hex digits (an optional "0x" prefix allowed), or is all zeros.
    error BadHash(string hash);
    /// The text is not a real calendar date written YYYYMMDD (years 1900 to 2199).
    error BadDate(string date);

    /// @notice Parses a SHA-256 written as 64 hex digits (either case, "0x" optional).
    /// @dev Reverts with BadHash. A zero hash is refused: it is how storage says "empty".
    function parseHash(string calldata text) public pure returns (bytes32 value) {
        bytes calldata b = bytes(text);
        uint256 start = (b.length == 66 && b[0] == "0" && (b[1] == "x" || b[1] == "X")) ? 2 : 0;
        if (b.length - start != 64) revert BadHash(text);
        uint256 high;
        uint256 low;
        assembly {
            high := calldataload(add(b.offset, start))
            low := calldataload(add(add(b.offset, start), 32))
        }
        (uint256 h, bool okHigh) = _hexWord(high);
        (uint256 l, bool okLow) = _hexWord(low);
        if (!(okHigh && okLow)) revert BadHash(text);
        uint256 acc = (h << 128) | l;
        if (acc == 0) revert BadHash(text);
        return bytes32(acc);
    }

    uint256 private constant ONES = 0x0101010101010101010101010101010101010101010101010101010101010101;
    uint256 private constant HIGH_BITS = ONES * 0x80;

    /// @dev 32 ASCII hex digits held in one word → their 128-bit value, all digits at once
    /// (SWAR: each byte is a lane; no sum below crosses a byte, since every byte < 0x80).
    /// About 60 opcodes instead of a 32-step loop. `ok` is false if any byte is not a hex digit.
    function _hexWord(uint256 w) private pure returns (uint256 value, bool ok) {
        unchecked {
            if (w & HIGH_BITS != 0) return (0, false);
            uint256 lower = w | (ONES * 0x20);
            // per byte, bit 7 set when: w >= '0', w > '9', lower >= 'a', lower > 'f'
            uint256 isDigit = ((w + ONES * (0x80 - 0x30)) & ~(w + ONES * (0x7f - 0x39))) & HIGH_BITS;
            uint256 isLetter = ((lower + ONES * (0x80 - 0x61)) & ~(lower + ONES * (0x7f - 0x66))) & HIGH_BITS;
            if (isDigit | isLetter != HIGH_BITS) return (0, false);
            uint256 x = (w & (ONES * 0x0f)) + (isLetter >> 7) * 9; // one nibble per byte
            x = ((x >> 4) | x) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            x = ((x >> 8) | x) & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
            x = ((x >> 16) | x) & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
            x = ((x >> 32) | x) & 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
            return (((x >> 64) | x) & type(uint128).max, true);
        }
    }

    /// @notice Formats 32 bytes as 64 lowercase hex digits, without "0x".
    function toHex(bytes32 value) public pure returns (string memory) {
        bytes memory alphabet = "0123456789abcdef";
        bytes memory out = new bytes(64);
        for (uint256 i = 0; i < 32; ++i) {
            uint8 byteValue = uint8(value[i]);
            out[2 * i] = alphabet[byteValue >> 4];
            out[2 * i + 1] = alphabet[byteValue & 0x0f];
        }
        return string(out);
    }

    /// @notice Parses YYYYMMDD into the number YYYYMMDD after checking it is a real date
    /// (month 1-12, day within the month, 29 February only in leap years).
    function parseDate(string calldata text) public pure returns (uint32) {
        bytes calldata b = bytes(text);
        if (b.length != 8) revert BadDate(text);
        uint256 n;
        for (uint256 i = 0; i < 8; ++i) {
            uint8 c = uint8(b[i]);
            if (c < 48 || c > 57) revert BadDate(text);
            n = n * 10 + (c - 48);
        }
        uint256 year = n / 10000;
        uint256 month = (n / 100) % 100;
        uint256 day = n % 100;
        if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) revert BadDate(text);
        if (day > daysInMonth(year, month)) revert BadDate(text);
        return uint32(n);
    }

    /// @notice Formats a YYYYMMDD number back into its 8 digits; 0 (never set) gives "".
    function formatDate(uint32 date) public pure returns (string memory) {
        if (date == 0) return "";
        bytes memory out = new bytes(8);
        uint256 n = date;
        for (uint256 i = 8; i > 0; --i) {
            out[i - 1] = bytes1(uint8(48 + (n % 10)));
            n /= 10;
        }
        return string(out);
    }

    function daysInMonth(uint256 year, uint256 month) internal pure returns (uint256) {
        if (month == 2) {
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            return leap ? 29 : 28;
        }
        if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
        return 31;
    }
}
