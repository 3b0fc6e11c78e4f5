#pragma once
#include <hdf5.h>   // -I/usr/include/hdf5/serial from pkg-config hdf5
#include <hdf5_hl.h>   // dimension labels (H5DSset_label), libhdf5_hl beside libhdf5
// Most HDF5 ids and flags are macros that call H5open() or cast, which Swift cannot import.
// These functions return their values; calling any of them initialises the library.
static inline hid_t chdf5_native_float(void)   { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void)  { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int8(void)    { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_native_uint8(void)   { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_int32(void)   { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void)   { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_c_s1(void)           { return H5T_C_S1; }
static inline hid_t chdf5_p_default(void)      { return H5P_DEFAULT; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_file_access(void)  { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_s_all(void)          { return H5S_ALL; }
static inline hid_t chdf5_e_default(void)      { return H5E_DEFAULT; }
static inline size_t chdf5_t_variable(void)    { return H5T_VARIABLE; }
static inline unsigned chdf5_acc_trunc(void)   { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_excl(void)    { return H5F_ACC_EXCL; }
static inline unsigned chdf5_acc_rdonly(void)  { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_rdwr(void)    { return H5F_ACC_RDWR; }
static inline hid_t chdf5_p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t chdf5_p_attribute_create(void) { return H5P_ATTRIBUTE_CREATE; }
