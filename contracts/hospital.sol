// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import "./xr.sol";

/// @title The hospital-wide roles a patient contract asks
interface IHospitalRoles {
    function gov() external view returns (address);
    function roleOf(address account) external view returns (xray.UserType role, bool enabled, xray.UserType removed);
}

/// @title xrpatient: one patient of a hospital, as an EIP-1167 clone of this contract
/// @notice The paper's `xr` ABI (so `xr.at(address)` works on a clone), with the hospital's
/// roles: gov is the hospital's gov, and a doctor or host granted by the hospital acts on
/// every patient. The profile is either salted commitments (hospital mode: nothing
/// identifying on chain) or the paper's clear fields (`initializePublic`, demonstrations).
contract xrpatient is xr {
    /// The hospital registry whose clones these are (the deployer of the implementation).
    address public immutable registry;
    /// The profile root of a clear (paper-style) profile.
    bytes32 public constant PUBLIC_PROFILE = keccak256("xray.public-profile");
    /// keccak256(abi.encode(field commitments)), or PUBLIC_PROFILE; zero until initialised.
    bytes32 internal _profileRoot;

    /// The contract was initialised before (each clone once; the implementation never).
    error AlreadyInitialized();
    /// Only the hospital registry initialises its clones.
    error NotHospital(address caller);

    /// The profile's field commitments (name, birthday, contact, age, gender, blood type),
    /// each keccak256(salt, value); `root` is keccak256(abi.encode(fields)).
    event ProfileCommitted(bytes32 indexed root, bytes32[6] fields, address indexed by);

    constructor() xr("implementation", msg.sender, 0, 0, 0) {
        registry = msg.sender;
        _profileRoot = PUBLIC_PROFILE;
    }

    /// @notice Initialises a clone with committed profile fields. Requirements: caller is the
    /// hospital; not initialised before. Emits ProfileCommitted.
    function initialize(address patient_, bytes32[6] calldata fields) external {
        bytes32 root = keccak256(abi.encode(fields));
        _start(patient_, root);
        emit ProfileCommitted(root, fields, msg.sender);
    }

    /// @notice Initialises a clone with the paper's clear profile (for demonstrations: it
    /// discloses the patient to everyone who reads the chain). Emits ProfileCreated.
    function initializePublic(address patient_, string calldata name, uint8 age, uint8 gender, uint8 bloodType) external {
        if (bytes(name).length == 0) revert InvalidProfile("name");
        if (gender > uint8(type(Gender).max)) revert InvalidProfile("gender");
        if (bloodType > uint8(type(BloodType).max)) revert InvalidProfile("bloodType");
        _start(patient_, PUBLIC_PROFILE);
        _profile.name = name;
        _profile.age = age;
        _profile.gender = Gender(gender);
        _profile.bloodType = BloodType(bloodType);
        emit ProfileCreated(patient_, name, age, Gender(gender), BloodType(bloodType));
    }

    /// @notice Replaces the field commitments (a new birthday or contact, with new salts).
    /// Requirements: caller is an enabled Host; the profile is committed. Emits ProfileCommitted.
    function setCommitments(bytes32[6] calldata fields) external onlyRole(UserType.Host) {
        if (_profileRoot == PUBLIC_PROFILE) revert InvalidProfile("public");
        bytes32 root = keccak256(abi.encode(fields));
        _profileRoot = root;
        emit ProfileCommitted(root, fields, msg.sender);
    }

    /// @notice The commitment root of the profile (PUBLIC_PROFILE for a clear one).
    function profileRoot() external view returns (bytes32) {
        return _profileRoot;
    }

    function gov() public view override returns (address) {
        return IHospitalRoles(registry).gov();
    }

    function patient() public view override returns (address) {
        return _profile.patient;
    }

    function _start(address patient_, bytes32 root) private {
        if (msg.sender != registry) revert NotHospital(msg.sender);
        if (_profileRoot != bytes32(0)) revert AlreadyInitialized();
        _profileRoot = root;
        _profile.patient = patient_;
    }

    /// @dev Gov is the hospital's; a doctor or host holds the role hospital-wide (one grant for
    /// every patient) or on this patient alone (the paper's setPermission on the clone).
    function _checkRole(address account, UserType role) internal view override {
        if (role == UserType.Gov || role == UserType.Patient) {
            address expected = role == UserType.Gov ? gov() : _profile.patient;
            if (account != expected || expected == address(0)) revert MissingRole(account, role);
            return;
        }
        (UserType held, bool enabled, UserType removed) = IHospitalRoles(registry).roleOf(account);
        if (held == role && enabled) return;
        User storage user = _users[account];
        if (user.role == role && user.enabled) return;
        if (held == role || user.role == role) revert PermissionDisabled(account, role);
        if (removed == role || user.removed == role) revert PermissionRemoved(account, role);
        revert MissingRole(account, role);
    }
}

/// @title hospital: one registry of patients with hospital-wide roles
/// @notice Deployed once by gov. Gov grants doctors and hosts once for all patients; a host
/// creates patients, each an EIP-1167 clone of `xrpatient` (about 45 bytes of code) registered
/// under a patient key that does not name the patient (keccak256 of a hospital secret and the
/// medical record number, computed off chain).
contract hospital is IHospitalRoles {
    /// The account that grants and removes hospital-wide permissions.
    address public immutable override gov;
    /// The `xrpatient` every patient is a clone of.
    address public immutable implementation;
    /// How many patients were created.
    uint256 public patientCount;
    mapping(bytes32 => address) internal _patients;
    mapping(address => xray.User) internal _users;

    /// A patient is already registered under `key`, at `patient`.
    error DuplicatePatient(bytes32 key, address patient);
    /// No patient key (zero), or lists of different lengths in a batch.
    error InvalidPatient(uint256 index);

    event PatientCreated(bytes32 indexed key, address indexed patient, address indexed account);
    event PermissionSet(address indexed account, xray.UserType indexed userType, string name, bool enabled, address indexed by);
    event PermissionRevoked(address indexed account, xray.UserType indexed userType, address indexed by);

    constructor() {
        gov = msg.sender;
        implementation = address(new xrpatient());
    }

    /// @notice Grants `account` a role (1 Doctor, 2 Host) on every patient; `enabled` false
    /// suspends it. Requirements: caller is gov. Emits PermissionSet.
    function setPermission(address account, string calldata name, uint8 userType, bool enabled) external {
        if (msg.sender != gov) revert xray.MissingRole(msg.sender, xray.UserType.Gov);
        if (account == address(0)) revert xray.ZeroAddress();
        if (userType != uint8(xray.UserType.Doctor) && userType != uint8(xray.UserType.Host)) revert xray.InvalidUserType(userType);
        _users[account] = xray.User({name: name, role: xray.UserType(userType), enabled: enabled, removed: xray.UserType.None});
        emit PermissionSet(account, xray.UserType(userType), name, enabled, msg.sender);
    }

    /// @notice Removes `account`'s permission on every patient: gov, or the account itself.
    /// Emits PermissionRevoked.
    function removePermission(address account) external {
        if (msg.sender != account && msg.sender != gov) revert xray.MissingRole(msg.sender, xray.UserType.Gov);
        xray.User storage user = _users[account];
        xray.UserType role = user.role;
        if (role == xray.UserType.None) revert xray.NoPermission(account);
        user.role = xray.UserType.None;
        user.enabled = false;
        user.removed = role;
        emit PermissionRevoked(account, role, msg.sender);
    }

    /// @notice `account`'s hospital-wide permission: name, role, enabled, the role it lost if removed.
    function getPermission(address account) external view returns (string memory, xray.UserType, bool, xray.UserType) {
        xray.User storage u = _users[account];
        return (u.name, u.role, u.enabled, u.removed);
    }

    /// @notice What the patient contracts ask on each role check (one storage slot).
    function roleOf(address account) external view override returns (xray.UserType, bool, xray.UserType) {
        xray.User storage u = _users[account];
        return (u.role, u.enabled, u.removed);
    }

    /// @notice The patient contract registered under `key` (zero address: none). One call,
    /// whatever the number of patients.
    function patientOf(bytes32 key) external view returns (address) {
        return _patients[key];
    }

    /// @notice Creates a patient with committed profile fields. Requirements: caller is an
    /// enabled Host (or gov); `key` new. Emits PatientCreated and the clone's ProfileCommitted.
    function createPatient(bytes32 key, address account, bytes32[6] calldata fields) external returns (address clone) {
        _checkCreator();
        clone = _create(key, account, 0);
        xrpatient(clone).initialize(account, fields);
        ++patientCount;
    }

    /// @notice Creates many patients in one transaction (`patients import`); same rules.
    function createPatients(bytes32[] calldata keys, address[] calldata accounts, bytes32[6][] calldata fields) external {
        _checkCreator();
        if (keys.length != accounts.length || keys.length != fields.length) revert InvalidPatient(keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            xrpatient(_create(keys[i], accounts[i], i)).initialize(accounts[i], fields[i]);
        }
        patientCount += keys.length;
    }

    /// @notice Creates a patient with the paper's clear profile (demonstrations only).
    function createPublicPatient(bytes32 key, address account, string calldata name, uint8 age, uint8 gender, uint8 bloodType)
        external
        returns (address clone)
    {
        _checkCreator();
        clone = _create(key, account, 0);
        xrpatient(clone).initializePublic(account, name, age, gender, bloodType);
        ++patientCount;
    }

    function _create(bytes32 key, address account, uint256 index) private returns (address clone) {
        if (key == bytes32(0)) revert InvalidPatient(index);
        address existing = _patients[key];
        if (existing != address(0)) revert DuplicatePatient(key, existing);
        clone = Clones.cloneDeterministic(implementation, key);
        _patients[key] = clone;
        emit PatientCreated(key, clone, account);
    }

    function _checkCreator() private view {
        if (msg.sender == gov) return;
        xray.User storage u = _users[msg.sender];
        if (u.role != xray.UserType.Host) {
            if (u.removed == xray.UserType.Host) revert xray.PermissionRemoved(msg.sender, xray.UserType.Host);
            revert xray.MissingRole(msg.sender, xray.UserType.Host);
        }
        if (!u.enabled) revert xray.PermissionDisabled(msg.sender, xray.UserType.Host);
    }
}
