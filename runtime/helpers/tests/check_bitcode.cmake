# Check that uxdp_helpers.bc defines each of our helpers and holds no
# thread-local or process-wide state of its own (see ../CMakeLists.txt).
execute_process(COMMAND ${NM} --defined-only ${BC} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llvm-nm failed on ${BC}")
endif()
foreach(h xdp_adjust_head xdp_adjust_tail xdp_adjust_meta xdp_load_bytes xdp_store_bytes
          xdp_get_buff_len csum_diff strncmp ktime_get_ns ktime_get_boot_ns get_prandom_u32
          get_smp_processor_id redirect trace_printk fib_lookup ktime_get_coarse_ns ktime_get_tai_ns jiffies64 check_mtu snprintf get_numa_node_id
          tcp_raw_gen_syncookie_ipv4 tcp_raw_gen_syncookie_ipv6
          tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6)
  if(NOT syms MATCHES "T uxdp_helper_${h}\n")
    message(FATAL_ERROR "uxdp_helper_${h} missing from ${BC}")
  endif()
endforeach()
if(syms MATCHES "[dDbB] ")
  message(FATAL_ERROR "writable data in ${BC}:\n${syms}")
endif()
foreach(h dynptr_from_mem ringbuf_reserve_dynptr ringbuf_submit_dynptr ringbuf_discard_dynptr
          dynptr_read dynptr_write dynptr_data)
  if(NOT syms MATCHES "T uxdp_helper_${h}\n")
    message(FATAL_ERROR "uxdp_helper_${h} missing from ${BC}")
  endif()
endforeach()
foreach(k bpf_iter_num_new bpf_iter_num_next bpf_iter_num_destroy bpf_dynptr_from_xdp
          bpf_dynptr_slice bpf_dynptr_slice_rdwr bpf_dynptr_adjust bpf_dynptr_is_null
          bpf_dynptr_is_rdonly bpf_dynptr_size bpf_dynptr_clone bpf_dynptr_copy
          bpf_dynptr_memset bpf_xdp_pull_data)
  if(NOT syms MATCHES "T uxdp_kfunc_${k}\n")
    message(FATAL_ERROR "uxdp_kfunc_${k} missing from ${BC}")
  endif()
endforeach()
# The lookups uxdpc's map-inline pass calls for hash and LRU hash maps (hash_lookup.c).
foreach(kind hash lru_hash)
  foreach(n k4 k8 k16 any)
    if(NOT syms MATCHES "T uxdp_${kind}_lookup_${n}\n")
      message(FATAL_ERROR "uxdp_${kind}_lookup_${n} missing from ${BC}")
    endif()
  endforeach()
endforeach()
