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
        uint256 acc;
        uint256 offset;
        assembly {
            offset := b.offset
        }
        // unchecked: i < 66, and the digit tests rely on wrap-around (c - 48 < 10 is false
        // for c < 48). Reading calldata directly skips a bounds check per character.
        unchecked {
            for (uint256 i = start; i < 64 + start; ++i) {
                uint256 c;
                assembly {
                    c := byte(0, calldataload(add(offset, i)))
                }
                uint256 lower = c | 0x20;
                if (c - 48 < 10) acc = (acc << 4) | (c - 48);
                else if (lower - 97 < 6) acc = (acc << 4) | (lower - 87);
                else revert BadHash(text);
            }
        }
        if (acc == 0) revert BadHash(text);
        return bytes32(acc);
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
